export { fetchHtmlPage, type FetchedPage } from './fetch-html-page.js';
export { extractArticle, MIN_ARTICLE_CHARS, type ExtractedArticle } from './extract-article.js';
export { readPageMetadata, normaliseLanguage, type PageMetadata } from './page-metadata.js';
export { paywallEvidence, PAYWALL_TEASER_MAX_CHARS } from './paywall.js';
export { parsePage, type PageDocument, type PageElement } from './page-dom.js';
