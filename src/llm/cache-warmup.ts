import { approximateTokens } from './estimate-tokens.js';
import type { StructuredModel, StructuredRequest } from './types.js';

/**
 * Anthropic makes a cache entry usable only once the response that wrote it has begun. Eight desks
 * sent at the same instant would each write the same prefix (at 1.25x the input price) and none
 * would read it. So, per event, the first desk call goes alone; the others wait until its answer
 * starts arriving (or it ends, or `maxWaitMs` passes) and then read the prefix at 0.1x.
 */
export interface CacheWarmupOptions {
  /** Longest a waiting desk holds back, however slow the first one is. */
  maxWaitMs?: number;
  /**
   * Prefixes shorter than this are not cached by the provider, so waiting for them would only
   * cost time. @default minCacheableTokens(model)
   */
  minPrefixTokens?: number;
}

/**
 * Anthropic's smallest cacheable prefix per model family, as its prompt-caching docs list it:
 * 4,096 tokens for Opus 4.5+ and Haiku 4.5, 2,048 for the Haiku 3 models, 1,024 otherwise.
 */
export function minCacheableTokens(model: string): number {
  if (/opus-4-[5-9]|haiku-4-5/.test(model)) return 4096;
  if (/haiku/.test(model)) return 2048;
  return 1024;
}

interface Gate {
  open: () => void;
  opened: Promise<void>;
}

/** Events remembered at once: a watcher runs many; only the recent ones can still have desks waiting. */
const REMEMBERED_EVENTS = 64;

export function withCacheWarmup(model: StructuredModel, options: CacheWarmupOptions = {}): StructuredModel {
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const minPrefixTokens = options.minPrefixTokens ?? minCacheableTokens(model.model);
  const gates = new Map<string, Gate>();

  const worthWarming = (request: StructuredRequest): boolean => {
    const shared = request.sharedPrefixChars ?? 0;
    if (shared === 0) return false;
    const prefix = request.system + (request.messages[0]?.content.slice(0, shared) ?? '');
    return approximateTokens(prefix) >= minPrefixTokens;
  };

  const waitFor = (gate: Gate, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      signal.addEventListener('abort', done, { once: true });
      void gate.opened.then(done);
    });

  return {
    provider: model.provider,
    model: model.model,
    ...(model.limiter ? { limiter: model.limiter } : {}),
    ...(model.prices ? { prices: model.prices } : {}),
    async complete(request) {
      if (!worthWarming(request)) return model.complete(request);
      const existing = gates.get(request.scope);
      if (existing) {
        await waitFor(existing, request.signal);
        return model.complete(request);
      }
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      gates.set(request.scope, { open, opened });
      if (gates.size > REMEMBERED_EVENTS) gates.delete(gates.keys().next().value!);
      const onText = request.onText;
      try {
        return await model.complete({
          ...request,
          // The first streamed piece means the response has begun: the cache entry now exists.
          onText: (chars) => {
            open();
            onText?.(chars);
          },
        });
      } finally {
        open();
      }
    },
  };
}
