import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

/**
 * Estimating how many input tokens a prompt costs, before sending it.
 *
 * OpenAI models: their own BPE encodings (`o200k_base` for gpt-4o, gpt-4.1, gpt-4.5, gpt-5,
 * gpt-oss and the o-series; `cl100k_base` for gpt-4 and gpt-3.5), counted exactly with js-tiktoken,
 * whose encodings ship inside the npm package (no download). The count covers the text only: the
 * few tokens of chat framing per message, and however the provider renders a JSON Schema
 * internally, are not known from outside.
 *
 * Every other model (Claude, local models behind an OpenAI-compatible server, replay): no public
 * offline tokenizer, so an approximation, `approximateTokens`: one token per CJK character (Han,
 * kana, Hangul, CJK and full-width punctuation) plus one per 3.5 other characters, rounded up.
 * 3.5 characters per token is Anthropic's documented rule of thumb for English text; CJK text
 * runs close to a token per character on Claude and Llama-family tokenizers.
 */

export type TokenizerId = 'o200k_base' | 'cl100k_base' | 'approx';

/** Characters of Latin-script (and other non-CJK) text per token in the approximation. */
export const APPROX_CHARS_PER_TOKEN = 3.5;

/** How each tokenizer counts, in words a report can show. */
export const TOKENIZER_DESCRIPTIONS: Record<TokenizerId, string> = {
  o200k_base: 'o200k_base (exact BPE via js-tiktoken)',
  cl100k_base: 'cl100k_base (exact BPE via js-tiktoken)',
  approx: `approximation: ${APPROX_CHARS_PER_TOKEN} characters per token, 1 token per CJK character`,
};

const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4)(?![a-z0-9])/;
const CL100K = /^(gpt-4|gpt-3\.5|gpt-35|text-embedding-3|text-embedding-ada-002)(?![a-z0-9.])/;

/**
 * The tokenizer used for a model name: OpenAI's encodings for OpenAI model families (an
 * `openai/` prefix is allowed, as some gateways name them, and LangChain's `openai:`), the
 * approximation otherwise. Decided by the name, not the provider: an OpenAI-compatible local
 * server runs other tokenizers.
 */
export function tokenizerForModel(model: string): TokenizerId {
  const name = model.trim().toLowerCase().replace(/^openai[/:]/, '');
  if (O200K.test(name)) return 'o200k_base';
  if (CL100K.test(name)) return 'cl100k_base';
  return 'approx';
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

/** The approximation: CJK characters count one token each, other characters 1/3.5, rounded up. */
export function approximateTokens(text: string): number {
  let cjk = 0;
  let other = 0;
  for (const ch of text) {
    if (CJK.test(ch)) cjk += 1;
    else other += 1;
  }
  return cjk + Math.ceil(other / APPROX_CHARS_PER_TOKEN);
}

export interface TokenCounter {
  id: TokenizerId;
  description: string;
  count(text: string): number;
}

/** Rank tables are several megabytes of JavaScript: each is imported on first use, once. */
const RANKS: Record<Exclude<TokenizerId, 'approx'>, () => Promise<{ default: TiktokenBPE }>> = {
  o200k_base: () => import('js-tiktoken/ranks/o200k_base'),
  cl100k_base: () => import('js-tiktoken/ranks/cl100k_base'),
};
const encoders = new Map<TokenizerId, Promise<Tiktoken>>();

/** A counter for one tokenizer. The BPE ones take about a second to build the first time. */
export async function tokenCounter(id: TokenizerId): Promise<TokenCounter> {
  const description = TOKENIZER_DESCRIPTIONS[id];
  if (id === 'approx') return { id, description, count: approximateTokens };
  let encoder = encoders.get(id);
  if (!encoder) {
    encoder = RANKS[id]().then((ranks) => new Tiktoken(ranks.default));
    encoders.set(id, encoder);
  }
  const tiktoken = await encoder;
  // No special tokens: text that happens to contain `<|endoftext|>` is counted as plain text.
  return { id, description, count: (text) => tiktoken.encode(text, [], []).length };
}

/** Input tokens of a call's texts (system prompt, messages, schema), counted the model's way. */
export async function estimateInputTokens(model: string, texts: readonly string[]): Promise<number> {
  const counter = await tokenCounter(tokenizerForModel(model));
  return texts.reduce((sum, text) => sum + counter.count(text), 0);
}
