/**
 * HTML escaping for report fragments rendered outside html.ts (the since-last section), kept in a
 * module of its own so that html.ts can import those renderers without an import cycle back
 * into itself. Same rules as html.ts: every string in a run is untrusted (news and model text),
 * so markup is built only with the `html` tag, which escapes every interpolated value unless it is
 * markup built by this tag.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Markup built by the `html` tag; the only thing it inserts without escaping. */
export class SafeHtml {
  constructor(readonly value: string) {}
  /** The markup itself, so a page can be sent as is (String(page)). */
  toString(): string {
    return this.value;
  }
}

export type Html = SafeHtml | string | number | null | undefined | false | Html[];

function toHtml(value: Html): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Template tag: literal parts are markup, every interpolation is escaped (arrays joined, falsy dropped). */
export function html(strings: TemplateStringsArray, ...values: Html[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += toHtml(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}
