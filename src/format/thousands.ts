/**
 * `1234567` → `1,234,567`: what `toLocaleString('en-US')` gives for a whole number, without ICU.
 * The first `toLocaleString` call in a process loads ICU's number formatting, about 20 ms, and
 * every `assess run` prints token counts, so that was a twentieth of a whole run.
 */
export function thousands(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const [whole = '0', fraction] = String(Math.abs(n)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}
