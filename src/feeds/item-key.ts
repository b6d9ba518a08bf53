/**
 * Identity of feed items: a stable key per item (to skip what was already seen), a canonical link,
 * and the same-story test for one story arriving from two feeds under its headline.
 */
import { createHash } from 'node:crypto';
import { sameStory } from './same-story.js';
import type { FeedItem } from './types.js';

/** Query parameters that identify a campaign or a click, never the article. Compared lower-cased. */
const TRACKING_PARAMS = new Set(['fbclid', 'gclid', 'mc_cid', 'mc_eid', 'igshid', 'ref', 'ref_src', 'cmpid', 'ocid', '_ga', 'spm']);

function isTrackingParam(rawKey: string): boolean {
  let key = rawKey;
  try {
    key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    // A malformed escape is kept as written; it is not a tracking name either way.
  }
  key = key.toLowerCase();
  return key.startsWith('utm_') || TRACKING_PARAMS.has(key);
}

/**
 * The link in a comparable form, or undefined unless it is an absolute http(s) URL. Host
 * lower-cased (and IDNs in punycode), default ports, fragment and tracking parameters dropped,
 * remaining parameters sorted by name (values of one name keep their order, and their encoding
 * is left as written), a trailing slash removed from any path but `/`. `www.` and the scheme are
 * kept: they can name different servers.
 */
export function canonicalLink(link: string): string | undefined {
  const text = link.trim();
  // Only absolute URLs: `new URL` alone would accept `mailto:` and scheme-relative forms are not links here.
  if (!/^https?:\/\//i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  // WHATWG URL already lower-cases the host and drops :80 / :443 for their schemes.
  const params = url.search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '' && !isTrackingParam(pair.split('=')[0] ?? ''));
  const name = (pair: string): string => pair.split('=')[0] ?? '';
  const sorted = params
    .map((pair, index) => ({ pair, index }))
    .sort((a, b) => (name(a.pair) < name(b.pair) ? -1 : name(a.pair) > name(b.pair) ? 1 : a.index - b.index))
    .map((p) => p.pair);
  let path = url.pathname;
  if (path.length > 1) path = path.replace(/\/+$/, '') || '/';
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `${url.protocol}//${auth}${url.host}${path}${sorted.length > 0 ? `?${sorted.join('&')}` : ''}`;
}

function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The item's identity within its feed (scope it by feed name when storing: a bare guid like `123`
 * is only unique within one feed). Precedence: the feed's guid, unless the guid is just a URL
 * different from the link (such guids change with the link's hosting and add nothing); then the
 * canonical link; then a hash of the normalised title and summary. URL guids are canonicalised
 * like links, so tracking parameters in a guid do not make a new item. `canonical` is the
 * canonical link whenever the item has a usable one.
 */
export function itemKey(item: FeedItem): { key: string; canonical?: string } {
  const canonical = item.link !== undefined ? canonicalLink(item.link) : undefined;
  const withCanonical = (key: string): { key: string; canonical?: string } =>
    canonical !== undefined ? { key, canonical } : { key };
  const guid = item.guid?.trim();
  if (guid) {
    if (/^https?:\/\//i.test(guid)) {
      const guidUrl = canonicalLink(guid);
      if (guidUrl !== undefined && (canonical === undefined || guidUrl === canonical)) return withCanonical(`guid:${guidUrl}`);
      if (guidUrl === undefined && canonical === undefined) return withCanonical(`guid:${guid}`);
      // A URL guid that differs from the link: the link decides.
    } else {
      return withCanonical(`guid:${guid}`);
    }
  }
  if (canonical !== undefined) return withCanonical(`link:${canonical}`);
  const digest = createHash('sha256')
    .update(`${normaliseText(item.title)}\n${normaliseText(item.summary)}`)
    .digest('hex')
    .slice(0, 16);
  return { key: `hash:${digest}` };
}

const NOT_WORD_CHAR = /[^\p{L}\p{M}\p{N}]+/gu;

/**
 * NFKC, lower case, everything but letters, marks and digits removed: `Japan’s $550B!` → `japans550b`.
 * Stored with each item for inspection; dedupe itself uses the same-story rule (same-story.ts).
 */
export function titleFingerprint(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(NOT_WORD_CHAR, '');
}

/**
 * Whether two headlines tell the same story: the same-story rule (see same-story.ts), kept under
 * this name for the dedupe in poll-feed. The time window (within a day) is the caller's business.
 */
export function similarTitles(a: string, b: string): boolean {
  return sameStory(a, b);
}
