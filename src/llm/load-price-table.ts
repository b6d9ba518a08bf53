import { readFile } from 'node:fs/promises';
import { parseYamlInput } from '../yaml/parse-yaml-input.js';
import * as z from 'zod';
import { InputError } from '../errors/index.js';
import { BUILT_IN_PRICES, type PriceTable } from './pricing.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

const usd = (side: string) =>
  z.number({ error: `${side} must be a number of US dollars per million tokens` }).min(0, `${side} must be 0 or more`).max(10_000, `${side} must be at most 10000`);

const PriceFileSchema = z.record(
  z.string().trim().min(1, 'model names must not be empty'),
  z.strictObject({ input: usd('input'), output: usd('output'), cacheRead: usd('cacheRead').optional(), cacheWrite: usd('cacheWrite').optional() }),
);

/**
 * The built-in prices with a price file's entries on top (`--prices FILE`, `ASSESS_PRICES`): a
 * YAML or JSON map from model name (or name prefix) to `{ input, output }` in USD per million
 * tokens, optionally with `cacheRead` / `cacheWrite` for prompt-cache tokens. For a gateway's own model names, a new release, or a negotiated rate.
 */
export async function loadPriceTable(file: string | undefined): Promise<PriceTable> {
  if (file === undefined) return BUILT_IN_PRICES;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read the price file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const raw = parseYamlInput(text, file);
  const result = PriceFileSchema.safeParse(raw ?? {}, ONE_SHOT_PARSE);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(root)');
    throw new InputError(`${file}: ${field}: ${issue?.message ?? 'invalid price file'}`);
  }
  return BUILT_IN_PRICES.with(result.data);
}
