import { setMaxListeners } from 'node:events';

/**
 * A signal for one operation: aborts when `parent` aborts or after `timeoutMs`, and is released
 * by `dispose()` when the operation ends.
 *
 * Why not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 a long-lived parent
 * (a watcher running for weeks) keeps every signal combined with it, and each timeout signal
 * lives until its timer fires even when the call finished long before — memory that grows with
 * every model call and feed poll. Here the listener and the timer go away with the operation.
 */
export interface ScopedSignal {
  signal: AbortSignal;
  /** True when this operation's own timer fired (and the parent did not abort). */
  timedOut: () => boolean;
  /** True when the parent aborted (the caller cancelled). */
  cancelled: () => boolean;
  dispose: () => void;
}

export function scopedSignal(parent: AbortSignal, timeoutMs: number): ScopedSignal {
  // One listener per operation in flight, each removed when it ends: the count tracks concurrency
  // (8 desks × several runs in a watcher), not a leak, so Node's 10-listener warning does not apply.
  setMaxListeners(0, parent);
  const controller = new AbortController();
  let fired = false;
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => fired && !parent.aborted,
    cancelled: () => parent.aborted,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
