/**
 * The plain-text tables of the list commands (`runs list`, `threads list`, `questions list`):
 * columns padded to their widest cell, two spaces apart, the last column (a title) left ragged.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: readonly string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** A title cut to `max` characters with an ellipsis, so a table row stays on one line. */
export const shortTitle = (title: string, max = 60): string => (title.length > max ? `${title.slice(0, max - 1)}…` : title);
