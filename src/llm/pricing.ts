import type { TokenUsage } from './types.js';

/**
 * List prices in USD per million tokens (input, output), as published by the providers in 2025.
 * Unknown models (local servers, new releases) get no estimate rather than a wrong one.
 * Matching is by prefix so dated snapshots (gpt-4.1-2025-04-14) price like their family.
 */
const PRICES: [prefix: string, input: number, output: number][] = [
  ['gpt-4.1-nano', 0.1, 0.4],
  ['gpt-4.1-mini', 0.4, 1.6],
  ['gpt-4.1', 2, 8],
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
  ['gpt-5-nano', 0.05, 0.4],
  ['gpt-5-mini', 0.25, 2],
  ['gpt-5', 1.25, 10],
  ['o4-mini', 1.1, 4.4],
  ['o3', 2, 8],
  ['claude-opus-4', 15, 75],
  ['claude-sonnet-4', 3, 15],
  ['claude-haiku-4', 1, 5],
  ['claude-3-7-sonnet', 3, 15],
  ['claude-3-5-haiku', 0.8, 4],
];

/** Estimated cost of one call, or null when the model's price is not known. */
export function estimateCostUsd(model: string, usage: TokenUsage): number | null {
  const name = model.toLowerCase();
  // Longest prefix first, so gpt-4.1-mini is not priced as gpt-4.1.
  const match = [...PRICES].sort((a, b) => b[0].length - a[0].length).find(([prefix]) => name.startsWith(prefix));
  if (!match) return null;
  const [, input, output] = match;
  return (usage.inputTokens * input + usage.outputTokens * output) / 1_000_000;
}
