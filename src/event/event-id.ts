import { createHash } from 'node:crypto';
import type { NewsEvent } from './schema.js';

/**
 * The same story submitted twice — re-typed, re-wrapped, different capitalisation or Unicode
 * composition — must get the same id, so only the title and body count, normalised.
 * Publication metadata is left out on purpose: feeds re-stamp times and URLs carry tracking noise.
 */
export function normalizeForId(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** 16 hex characters of SHA-256: short enough to type, collision-free at archive scale. */
export function eventId(event: Pick<NewsEvent, 'title' | 'summary'>): string {
  const canonical = `${normalizeForId(event.title)}\n${normalizeForId(event.summary)}`;
  return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 16);
}
