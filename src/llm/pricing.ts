import type { TokenUsage } from './types.js';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Input tokens read from the prompt cache; the input price when not given (no discount assumed). */
  cacheRead?: number;
  /** Input tokens written to the prompt cache; the input price when not given (no surcharge assumed). */
  cacheWrite?: number;
}

/**
 * List prices in USD per million tokens, as published by the providers in 2025. Unknown models
 * (local servers, new releases) get no estimate rather than a wrong one; a price file
 * (`--prices`) adds or corrects entries.
 */
const BUILT_IN: Record<string, ModelPrice> = {
  // OpenAI caches prompts of 1,024+ tokens on its own: reads are discounted, writes cost nothing extra.
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  o3: { input: 2, output: 8, cacheRead: 0.5 },
  // Anthropic: a cache read is 0.1x the input price, a (5-minute) cache write 1.25x.
  // Opus 4.5 and later list at a third of Opus 4 / 4.1.
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-6': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'claude-3-7-sonnet': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
};

/**
 * Prices matched by the longest prefix of the model name, so dated snapshots
 * (gpt-4.1-2025-04-14) price like their family and gpt-4.1-mini is not priced as gpt-4.1.
 */
export class PriceTable {
  private readonly entries: [prefix: string, price: ModelPrice][];

  constructor(prices: Record<string, ModelPrice>) {
    this.entries = Object.entries(prices)
      .map(([prefix, price]): [string, ModelPrice] => [prefix.trim().toLowerCase(), price])
      .sort((a, b) => b[0].length - a[0].length);
  }

  /** This table with `overrides` added; an override replaces the entry of the same prefix. */
  with(overrides: Record<string, ModelPrice>): PriceTable {
    return new PriceTable({ ...Object.fromEntries(this.entries), ...overrides });
  }

  priceOf(model: string): ModelPrice | null {
    const name = model.trim().toLowerCase();
    return this.entries.find(([prefix]) => name.startsWith(prefix))?.[1] ?? null;
  }

  /**
   * Estimated cost of one call, or null when the model's price is not known. Cached input tokens
   * are part of inputTokens and priced at the cache read/write rates instead of the input rate.
   */
  costOf(model: string, usage: TokenUsage): number | null {
    const price = this.priceOf(model);
    if (!price) return null;
    const read = usage.cacheReadTokens ?? 0;
    const written = usage.cacheWriteTokens ?? 0;
    const uncached = Math.max(0, usage.inputTokens - read - written);
    return (
      (uncached * price.input +
        read * (price.cacheRead ?? price.input) +
        written * (price.cacheWrite ?? price.input) +
        usage.outputTokens * price.output) /
      1_000_000
    );
  }
}

export const BUILT_IN_PRICES = new PriceTable(BUILT_IN);

/** Estimated cost of one call at the built-in prices, or null when the model's price is not known. */
export function estimateCostUsd(model: string, usage: TokenUsage, prices: PriceTable = BUILT_IN_PRICES): number | null {
  return prices.costOf(model, usage);
}

/**
 * Names of models without a known price in `prices` (`replay` is free and exempt): a cost budget
 * cannot be kept on them, so `--max-cost` and a daily `maxCostPerDay` refuse to start.
 */
export function modelsWithoutPrice(models: Iterable<string>, prices: PriceTable = BUILT_IN_PRICES): string[] {
  return [...new Set(models)].filter((name) => name !== 'replay' && prices.priceOf(name) === null);
}
