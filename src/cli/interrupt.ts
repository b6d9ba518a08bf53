import { EXIT, type ExitCode } from './exit-codes.js';

/** The signals that wind a command down (main.ts listens for these). */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/**
 * The abort reason main.ts gives the command's signal on the first SIGINT/SIGTERM, so a command
 * can tell which one stopped it without reading `process`. It is an AbortError like the default
 * reason, so fetch, the SDKs and every `signal.aborted` check treat it exactly as a plain abort.
 */
export class Interrupted extends DOMException {
  constructor(readonly signalName: InterruptSignal) {
    super(`interrupted by ${signalName}`, 'AbortError');
  }
}

/**
 * The exit code for a command stopped by a signal: 143 (128 + 15) for SIGTERM, 130 (128 + 2) for
 * SIGINT or an abort that does not say (in-process callers); undefined when not aborted.
 */
export function interruptExitCode(signal: AbortSignal): ExitCode | undefined {
  if (!signal.aborted) return undefined;
  return signal.reason instanceof Interrupted && signal.reason.signalName === 'SIGTERM' ? EXIT.terminated : EXIT.cancelled;
}
