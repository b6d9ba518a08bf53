import { describe, expect, it, vi } from 'vitest';
import { minCacheableTokens, withCacheWarmup } from '../src/llm/cache-warmup.js';
import type { ModelResponse, StructuredModel, StructuredRequest } from '../src/llm/types.js';

/**
 * The warm-up in front of Anthropic: per event, the first desk call goes alone until its answer
 * starts; the others follow. A fake model records when each call started and lets the test say
 * when the first one begins answering or fails.
 */

const LONG_PREFIX = 'shared instructions and event. '.repeat(200); // ~1,700 tokens at 3.5 chars/token

function request(scope: string, desk: string, prefix = LONG_PREFIX, signal = new AbortController().signal): StructuredRequest {
  const user = `${prefix}You are ${desk}.`;
  return {
    purpose: `desk/${desk}`,
    scope,
    system: 'system',
    messages: [{ role: 'user', content: user }],
    schemaName: 's',
    jsonSchema: {},
    maxOutputTokens: 10,
    signal,
    sharedPrefixChars: prefix.length,
  };
}

const answer: ModelResponse = { text: '{}', finishReason: 'stop', rawFinishReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 }, model: 'm' };

interface Controlled {
  model: StructuredModel;
  started: string[];
  /** The call of `desk` starts streaming (its first piece arrives) and finishes. */
  begin: (desk: string) => void;
  fail: (desk: string) => void;
}

function controlledModel(): Controlled {
  const started: string[] = [];
  const pending = new Map<string, { req: StructuredRequest; resolve: (r: ModelResponse) => void; reject: (e: Error) => void }>();
  return {
    started,
    model: {
      provider: 'anthropic',
      model: 'claude-test',
      complete: (req) =>
        new Promise((resolve, reject) => {
          const desk = req.purpose.slice('desk/'.length);
          started.push(desk);
          pending.set(desk, { req, resolve, reject });
        }),
    },
    begin: (desk) => {
      const p = pending.get(desk)!;
      p.req.onText?.(5);
      p.resolve(answer);
    },
    fail: (desk) => pending.get(desk)!.reject(new Error('overloaded')),
  };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('cache warm-up', () => {
  it('the first desk of an event goes alone; the rest start once its answer begins', async () => {
    const c = controlledModel();
    const model = withCacheWarmup(c.model);
    const calls = ['JP-01', 'US-01', 'CN-01'].map((d) => model.complete(request('event-a', d)));
    await tick();
    expect(c.started).toEqual(['JP-01']);
    c.begin('JP-01');
    await tick();
    expect(c.started.sort()).toEqual(['CN-01', 'JP-01', 'US-01']);
    c.begin('US-01');
    c.begin('CN-01');
    await expect(Promise.all(calls)).resolves.toHaveLength(3);
  });

  it('another event does not wait for this one', async () => {
    const c = controlledModel();
    const model = withCacheWarmup(c.model);
    void model.complete(request('event-a', 'JP-01'));
    void model.complete(request('event-b', 'KR-01'));
    await tick();
    expect(c.started.sort()).toEqual(['JP-01', 'KR-01']);
  });

  it('a failed first call releases the others (they do not wait the full cap)', async () => {
    const c = controlledModel();
    const model = withCacheWarmup(c.model, { maxWaitMs: 60_000 });
    const first = model.complete(request('event-a', 'JP-01'));
    void model.complete(request('event-a', 'US-01'));
    await tick();
    expect(c.started).toEqual(['JP-01']);
    c.fail('JP-01');
    await expect(first).rejects.toThrow('overloaded');
    await tick();
    expect(c.started).toEqual(['JP-01', 'US-01']);
  });

  it('a slow first call holds the others back at most maxWaitMs', async () => {
    const c = controlledModel();
    const model = withCacheWarmup(c.model, { maxWaitMs: 80 });
    void model.complete(request('event-a', 'JP-01'));
    void model.complete(request('event-a', 'US-01'));
    await tick(30);
    expect(c.started).toEqual(['JP-01']);
    await tick(120);
    expect(c.started).toEqual(['JP-01', 'US-01']);
  });

  it('a prefix too short for the provider to cache is not worth waiting for', async () => {
    const c = controlledModel();
    const model = withCacheWarmup(c.model);
    void model.complete(request('event-a', 'JP-01', 'short event. '));
    void model.complete(request('event-a', 'US-01', 'short event. '));
    await tick();
    expect(c.started).toEqual(['JP-01', 'US-01']);
  });

  it('by default a waiting desk holds back 10 s at most (fake clock)', async () => {
    vi.useFakeTimers();
    try {
      const c = controlledModel();
      const model = withCacheWarmup(c.model);
      void model.complete(request('event-a', 'JP-01'));
      void model.complete(request('event-a', 'US-01'));
      await vi.advanceTimersByTimeAsync(9_999);
      expect(c.started).toEqual(['JP-01']);
      await vi.advanceTimersByTimeAsync(1);
      expect(c.started).toEqual(['JP-01', 'US-01']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a waiting desk stops waiting when its run is cancelled', async () => {
    const c = controlledModel();
    const model = withCacheWarmup(c.model, { maxWaitMs: 60_000 });
    void model.complete(request('event-a', 'JP-01'));
    const cancel = new AbortController();
    void model.complete(request('event-a', 'US-01', LONG_PREFIX, cancel.signal));
    await tick();
    expect(c.started).toEqual(['JP-01']);
    cancel.abort();
    await tick();
    // Handed to the model, whose SDK call sees the aborted signal and gives up at once.
    expect(c.started).toEqual(['JP-01', 'US-01']);
  });
});

describe('smallest cacheable prefix per model', () => {
  it('follows Anthropic\'s table: 4,096 for Opus 4.5+ and Haiku 4.5, 2,048 for Haiku 3.x, else 1,024', () => {
    expect(minCacheableTokens('claude-opus-4-5-20251101')).toBe(4096);
    expect(minCacheableTokens('claude-haiku-4-5')).toBe(4096);
    expect(minCacheableTokens('claude-3-5-haiku-latest')).toBe(2048);
    expect(minCacheableTokens('claude-sonnet-4-6')).toBe(1024);
    expect(minCacheableTokens('claude-opus-4-1')).toBe(1024);
  });

  it('a ~1,700-token prefix is worth waiting for on Sonnet, not on Haiku 4.5', async () => {
    const c = controlledModel();
    const haiku = withCacheWarmup({ ...c.model, model: 'claude-haiku-4-5' });
    void haiku.complete(request('event-h', 'JP-01'));
    void haiku.complete(request('event-h', 'US-01'));
    await tick();
    expect(c.started).toEqual(['JP-01', 'US-01']);

    // Sonnet caches from 1,024 tokens: the second desk waits for the first one's answer.
    const s = controlledModel();
    const sonnet = withCacheWarmup({ ...s.model, model: 'claude-sonnet-4-6' });
    void sonnet.complete(request('event-s', 'JP-01'));
    void sonnet.complete(request('event-s', 'US-01'));
    await tick();
    expect(s.started).toEqual(['JP-01']);
    s.begin('JP-01');
    await tick();
    expect(s.started).toEqual(['JP-01', 'US-01']);
  });
});
