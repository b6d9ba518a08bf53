import { parseHTML } from 'linkedom';
import type { TextWalkNode } from '../feeds/html-text.js';

/**
 * The few DOM members article extraction reads. linkedom's documents have them; the project's
 * lib declares no DOM types, so they are named here instead of cast to `any`.
 */
export interface PageElement extends TextWalkNode {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}

export interface PageDocument {
  readonly documentElement: PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

/**
 * Parses an HTML page with linkedom. A page without an `<html>` element is wrapped, since
 * linkedom mis-nests bare fragments. linkedom documents have no URL (`document.URL`/`baseURI` are
 * undefined); Readability only needs one to absolutise links, which plain text does not use.
 */
export function parsePage(html: string): PageDocument {
  const page = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`;
  return parseHTML(page).document as unknown as PageDocument;
}
