import type { Logger as PinoLogger } from 'pino';
import { redactSecrets } from '../errors/index.js';
import type { OutStream } from './io.js';

/** What the commands log with: pino's calling convention, plus a flush before the command ends. */
export interface RunLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /** A logger whose every line also carries `bindings` (e.g. the run id of one run of a batch). */
  child(bindings: object): RunLogger;
  /** Resolves once every line logged so far is written. */
  flush(): Promise<void>;
}

type Method = 'debug' | 'info' | 'warn' | 'error';

/** pino's numeric levels; a line is written when its level is at or above the logger's. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY };

/**
 * pino on stderr (stdout carries only the report). Key-shaped strings and the run's own key
 * values are masked in every line, whatever field they ended up in.
 *
 * pino is loaded only when a line is due: at the default level (warn) most runs log nothing, and
 * loading pino and compiling its redaction cost every run ~12 ms of start-up. Lines logged before
 * it has loaded wait, in order, and are written as soon as it has; `flush()` waits for that.
 */
export function createLogger(level: string, stderr: OutStream, secrets: readonly string[] = []): RunLogger {
  const threshold = LEVELS[level] ?? LEVELS['warn']!;
  const pending: { bindings: object; method: Method; fields: object; message: string }[] = [];
  let pino: PinoLogger | undefined;
  let loading: Promise<void> | undefined;

  const write = (bindings: object, method: Method, fields: object, message: string) => {
    const target = Object.keys(bindings).length > 0 ? pino!.child(bindings) : pino!;
    target[method](fields, message);
  };
  const load = (): Promise<void> =>
    (loading ??= import('pino').then((module) => {
      // pino is CommonJS: bundled, its function arrives as the default export; under a loader
      // that maps CommonJS exports, also as `pino`.
      const create = typeof module.pino === 'function' ? module.pino : module.default;
      pino = create(
        {
          level,
          base: undefined,
          redact: { paths: ['apiKey', '*.apiKey', 'headers.authorization', 'headers["x-api-key"]'], censor: '[redacted]' },
        },
        { write: (line: string) => stderr.write(redactSecrets(line, secrets)) },
      );
      for (const line of pending.splice(0)) write(line.bindings, line.method, line.fields, line.message);
    }));

  const make = (bindings: object): RunLogger => {
    const log = (method: Method) => (fields: object, message: string) => {
      if (LEVELS[method]! < threshold) return;
      if (pino) return write(bindings, method, fields, message);
      pending.push({ bindings, method, fields, message });
      void load();
    };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
      flush: () => loading ?? Promise.resolve(),
    };
  };
  return make({});
}
