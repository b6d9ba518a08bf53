import { createHash } from 'node:crypto';

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;

/**
 * Fills `{{name}}` placeholders. Values are inserted verbatim and never re-scanned, so text from
 * the news cannot inject placeholders. A placeholder without a value is a bug in the template
 * or the caller, so it throws instead of sending the model a literal `{{...}}`.
 */
export function renderTemplate(template: string, values: Record<string, string>, templateName = 'template'): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${templateName}: no value for placeholder {{${key}}}`);
    return value;
  });
}

/** Placeholders a template uses, for checking templates at load time. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/**
 * Marker for untrusted text, derived from the text itself: the text cannot contain its own
 * closing marker, because containing it would change the hash that names it.
 */
export function fenceFor(text: string): string {
  return `UNTRUSTED_${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12).toUpperCase()}`;
}

/** Short content hash of one or more template texts: the prompt version recorded with each result. */
export function contentHash(...texts: string[]): string {
  const hash = createHash('sha256');
  for (const t of texts) hash.update(t, 'utf8').update('\u0000');
  return hash.digest('hex').slice(0, 12);
}
