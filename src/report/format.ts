import { thousands } from '../format/thousands.js';
/** Text for a Markdown table cell: pipes escaped, line breaks folded, so a cell never breaks the table. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n+/g, ' ').trim();
}

/** 0.55 → "55%"; keeps one decimal only when it matters (0.125 → "12.5%"). */
export function percent(p: number): string {
  const v = Math.round(p * 1000) / 10;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)}%`;
}

export function usd(amount: number): string {
  return `$${amount < 0.01 && amount > 0 ? amount.toFixed(4) : amount.toFixed(2)}`;
}

/**
 * " (9,600 from the prompt cache, 2,400 written to it)" after an input-token count, or nothing
 * when the provider cached nothing. Absent counts (runs archived before caching) read as none.
 */
export function cacheNote(usage: { cacheReadTokens?: number; cacheWriteTokens?: number }): string {
  const read = usage.cacheReadTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const parts = [
    read > 0 ? `${thousands(read)} from the prompt cache` : '',
    written > 0 ? `${thousands(written)} written to it` : '',
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
