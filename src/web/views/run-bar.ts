import { html, type SafeHtml } from '../../report/escape-html.js';

/**
 * A 0–1 share as a small SVG bar, for the report's desk rendering inside the workspace: the
 * exported report draws its bars with an inline width style, which the workspace's CSP forbids;
 * SVG geometry attributes are not style, so this bar passes.
 */
export function svgBar(p: number, className = 'bar'): SafeHtml {
  const width = Math.max(0, Math.min(100, Number.isFinite(p) ? p * 100 : 0)).toFixed(1);
  return html`<svg class="${className} svg-bar" viewBox="0 0 100 6" width="64" height="7" preserveAspectRatio="none" aria-hidden="true"><rect class="track" width="100" height="6"/><rect class="fill" width="${width}" height="6"/></svg>`;
}
