import { parseHTML } from 'linkedom';

/**
 * HTML → plain text for feed titles, summaries and article bodies: parsed by linkedom (entities
 * decoded by the parser), scripts/styles dropped, block elements separated by a newline, inline
 * elements joined, every other run of whitespace collapsed to one space, lines trimmed, blank
 * lines removed.
 */

/** The few DOM members the walk needs; linkedom's nodes (and Readability's output) have them. */
export interface TextWalkNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly nodeValue: string | null;
  readonly firstChild: TextWalkNode | null;
  readonly nextSibling: TextWalkNode | null;
}

const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const ELEMENT_NODE = 1;
const DOCUMENT_NODE = 9;
const DOCUMENT_FRAGMENT_NODE = 11;

/** Elements whose content is never visible text. */
const SKIPPED = new Set([
  'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'IFRAME', 'OBJECT', 'EMBED',
  'SVG', 'MATH', 'CANVAS', 'SELECT', 'BUTTON',
]);

/** Elements that start and end a line. */
const BLOCKS = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'CAPTION', 'DD', 'DETAILS', 'DIALOG', 'DIV',
  'DL', 'DT', 'FIELDSET', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5',
  'H6', 'HEADER', 'HGROUP', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'SUMMARY',
  'TABLE', 'TBODY', 'THEAD', 'TFOOT', 'TR', 'UL', 'BODY', 'HTML',
]);

/** Elements that at least separate words (table cells). */
const SPACED = new Set(['TD', 'TH']);

const NEWLINE = '\n';

/** Collapses whitespace: runs within a line → one space, lines trimmed, empty lines dropped. */
function normalise(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/**
 * Visible text of a DOM subtree (an element; not a linkedom document, see htmlToText). Iterative (an explicit stack), so absurdly deep markup cannot
 * overflow the call stack.
 */
export function nodeToText(root: TextWalkNode): string {
  const parts: string[] = [];
  // Entries are nodes to visit or strings to emit once a block element's children are done.
  const stack: (TextWalkNode | string)[] = [root];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next === 'string') {
      parts.push(next);
      continue;
    }
    if (next.nodeType === TEXT_NODE || next.nodeType === CDATA_SECTION_NODE) {
      // Newlines inside text are ordinary whitespace in HTML.
      parts.push((next.nodeValue ?? '').replace(/\s+/g, ' '));
      continue;
    }
    if (next.nodeType !== ELEMENT_NODE && next.nodeType !== DOCUMENT_NODE && next.nodeType !== DOCUMENT_FRAGMENT_NODE) continue;
    const name = next.nodeName.toUpperCase();
    if (SKIPPED.has(name)) continue;
    const separator = BLOCKS.has(name) ? NEWLINE : SPACED.has(name) ? ' ' : '';
    if (separator) {
      parts.push(separator);
      stack.push(separator);
    }
    // firstChild/nextSibling, not childNodes: linkedom builds a fresh NodeList on every access.
    const children: TextWalkNode[] = [];
    for (let child = next.firstChild; child; child = child.nextSibling) children.push(child);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return normalise(parts.join(''));
}

export function htmlToText(html: string): string {
  // Fast path: nothing to parse or decode.
  if (!html.includes('<') && !html.includes('&')) return html.replace(/\s+/g, ' ').trim();
  // linkedom's parseHTML expects a whole document (a bare fragment ends up with <head>/<body>
  // nested inside its first element), so the fragment is wrapped in one. Not body.innerHTML:
  // that setter recurses per nesting level and overflows the stack on deeply nested markup.
  // The whole document is walked, so text after a stray </body></html> is kept too.
  const { document } = parseHTML(`<!doctype html><html><head></head><body>${html}</body></html>`) as unknown as {
    document: { documentElement: TextWalkNode | null };
  };
  // From the root element, not the document: linkedom's doctype node has no nextSibling.
  return document.documentElement ? nodeToText(document.documentElement) : '';
}
