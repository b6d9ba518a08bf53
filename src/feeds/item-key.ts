/**
 * Identity of feed items: a stable key per item (to skip what was already seen), a canonical link,
 * and title fingerprints to spot the same story arriving from two feeds.
 */
import { createHash } from 'node:crypto';
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

/** Han, kana (with the prolonged sound mark) and Hangul: scripts written without spaces between words. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC]/u;
const NOT_WORD_CHAR = /[^\p{L}\p{M}\p{N}]+/gu;

/** NFKC, lower case, everything but letters, marks and digits removed: `Japan’s $550B!` → `japans550b`. */
export function titleFingerprint(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(NOT_WORD_CHAR, '');
}

const SIMILARITY = 0.85;

function tokens(title: string): Set<string> {
  return new Set(
    title
      .normalize('NFKC')
      .toLowerCase()
      // Apostrophes join a word (`Japan’s` → `japans`), matching the fingerprint.
      .replace(/['’]/g, '')
      .split(NOT_WORD_CHAR)
      .filter(Boolean),
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

function bigrams(text: string): Map<string, number> {
  const chars = [...text];
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < chars.length; i++) {
    const gram = `${chars[i]}${chars[i + 1]}`;
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function dice(a: Map<string, number>, b: Map<string, number>): number {
  let sizeA = 0;
  let sizeB = 0;
  let shared = 0;
  for (const n of a.values()) sizeA += n;
  for (const n of b.values()) sizeB += n;
  if (sizeA === 0 || sizeB === 0) return 0;
  for (const [gram, n] of a) shared += Math.min(n, b.get(gram) ?? 0);
  return (2 * shared) / (sizeA + sizeB);
}

/**
 * Whether two headlines tell the same story: identical fingerprints, or (when either is CJK)
 * character-bigram Dice ≥ 0.85 on the fingerprints, else word-set Jaccard ≥ 0.85. The time window
 * (same day) is the caller's business.
 */
export function similarTitles(a: string, b: string): boolean {
  const fa = titleFingerprint(a);
  const fb = titleFingerprint(b);
  if (fa === '' || fb === '') return false;
  if (fa === fb) return true;
  if (CJK.test(fa) || CJK.test(fb)) return dice(bigrams(fa), bigrams(fb)) >= SIMILARITY;
  return jaccard(tokens(a), tokens(b)) >= SIMILARITY;
}
