import { html, type Html, type SafeHtml } from '../report/escape-html.js';
import { STYLESHEETS } from './assets.js';
import { CSRF_FIELD } from './security.js';

/**
 * The page frame every workspace page shares: navigation, the search box, the shortcuts help, the
 * stylesheet and the one script. No inline script or style anywhere (the CSP forbids both); the
 * script only adds keyboard shortcuts and live updates, so every page works without it.
 */
export type Section = 'runs' | 'threads' | 'questions' | 'feeds' | 'new' | 'compare' | null;

export interface PageFrame {
  title: string;
  section: Section;
  /** The search box's current text, on search pages. */
  query?: string;
  body: Html;
  /** `data-page` on <body>: tells the script which shortcuts apply (runs, run, desk…). */
  page?: string;
}

const NAV: [Exclude<Section, null>, string, string][] = [
  ['runs', '/', 'Runs'],
  ['threads', '/threads', 'Threads'],
  ['questions', '/questions', 'Questions'],
  ['feeds', '/feeds', 'Feeds'],
  ['new', '/new', 'New assessment'],
];

export function layout(frame: PageFrame): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${frame.title} · assess</title>
<link rel="icon" href="data:,">
${STYLESHEETS.map((name) => html`<link rel="stylesheet" href="/assets/${name}">`)}
<script src="/assets/app.js" defer></script>
</head>
<body data-page="${frame.page ?? frame.section ?? 'page'}">
<header class="top">
<a class="brand" href="/">assess</a>
<nav aria-label="Sections">${NAV.map(([id, href, label]) => html`<a href="${href}"${frame.section === id ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
<form class="search" role="search" action="/search" method="get">
<label class="visually-hidden" for="q">Search runs</label>
<input id="q" name="q" type="search" placeholder="Search runs ( / )" value="${frame.query ?? ''}" autocomplete="off">
</form>
</header>
<main id="main">
${frame.body}
</main>
<footer class="bottom"><span>Press <kbd>?</kbd> for keyboard shortcuts.</span></footer>
<dialog id="shortcuts" aria-label="Keyboard shortcuts">
<h2>Keyboard shortcuts</h2>
<dl>
<dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>next / previous run or desk</dd>
<dt><kbd>Enter</kbd></dt><dd>open the selected run</dd>
<dt><kbd>1</kbd>–<kbd>5</kbd></dt><dd>rate the desk in view</dd>
<dt><kbd>/</kbd></dt><dd>search</dd>
<dt><kbd>?</kbd></dt><dd>this help</dd>
</dl>
<form method="dialog"><button>Close</button></form>
</dialog>
</body>
</html>
`;
}

/** The hidden CSRF field every POST form carries. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** A page that says what went wrong, in the frame. */
export function messagePage(title: string, message: string, section: Section = null): SafeHtml {
  return layout({ title, section, body: html`<h1>${title}</h1><p class="message">${message}</p>` });
}
