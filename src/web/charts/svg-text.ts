/** Shortens a label to `max` characters for an SVG text (SVG does not wrap); the full text goes in a <title>. */
export function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, Math.max(1, max - 1))}…`;
}

/** A number for an SVG attribute: finite, rounded to one decimal. */
export function n(v: number): string {
  return (Number.isFinite(v) ? Math.round(v * 10) / 10 : 0).toString();
}
