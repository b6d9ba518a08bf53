/**
 * Bytes → text for feeds and article pages. The charset comes from, in order: a byte-order mark,
 * the Content-Type header's `charset=`, the XML prolog's `encoding="…"` or an HTML `<meta>`
 * charset near the top of the body, and finally UTF-8. Decoding uses the built-in TextDecoder
 * (Node's full ICU covers Latin-1/windows-1252, Shift_JIS, EUC-JP, GB18030, EUC-KR…); a label it
 * does not know falls back to UTF-8. Malformed sequences become U+FFFD rather than errors.
 */

/** How far into the body the XML prolog is looked for (it must be at the very start). */
const PROLOG_BYTES = 200;
/** How far into the body an HTML `<meta>` charset is looked for (the HTML prescan limit). */
const META_BYTES = 1024;

/** The project's lib has no DOM types; Node's global TextDecoder class is the value here. */
type Decoder = InstanceType<typeof TextDecoder>;

function bomEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  return undefined;
}

/** `text/xml; charset="ISO-8859-1"` → `ISO-8859-1`. */
function headerCharset(contentType: string | null): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const label = (match?.[1] ?? match?.[2])?.trim();
  return label ? label : undefined;
}

/** Reads the start of the body as Latin-1, which maps every byte to one char, ASCII intact. */
function asciiPrefix(bytes: Uint8Array, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(length, bytes.byteLength)).toString('latin1');
}

/** The charset the document declares about itself: XML prolog, else an HTML meta tag. */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = asciiPrefix(bytes, META_BYTES);
  const prolog = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head.slice(0, PROLOG_BYTES));
  if (prolog?.[1]) return prolog[1];
  // The HTML prescan: <meta charset="…"> or <meta http-equiv="Content-Type" content="…; charset=…">.
  const meta = /<meta\s[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head);
  return meta?.[1];
}

/** A TextDecoder for the label, or undefined when the runtime does not know it. */
function decoderFor(label: string): Decoder | undefined {
  try {
    return new TextDecoder(label.trim().toLowerCase());
  } catch {
    return undefined;
  }
}

/** windows-1252's 0x80–0x9F (WHATWG index; unassigned bytes map to the same C1 code point). */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * windows-1252 by hand. Node 20.20's TextDecoder('windows-1252') (and so 'latin1'/'iso-8859-1',
 * which the Encoding Standard maps to it) decodes 0x80–0x9F as C1 controls instead of “ ” € …
 * (nodejs/node#56542), which would garble every curly quote in a Latin-1 feed.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

export function decodeBody(bytes: Uint8Array, contentType: string | null): string {
  const bom = bomEncoding(bytes);
  let decoder: Decoder | undefined = bom ? decoderFor(bom) : undefined;

  if (!decoder) {
    const fromHeader = headerCharset(contentType);
    if (fromHeader) decoder = decoderFor(fromHeader);
  }
  if (!decoder) {
    const declared = declaredCharset(bytes);
    const candidate = declared ? decoderFor(declared) : undefined;
    // A document whose declaration we could read as ASCII is not UTF-16, whatever it says
    // (the HTML spec's rule; a real UTF-16 document carries a BOM, handled above).
    if (candidate && !candidate.encoding.startsWith('utf-16')) decoder = candidate;
  }
  if (decoder?.encoding === 'windows-1252') return decodeWindows1252(bytes);
  // TextDecoder strips a BOM matching its encoding by default.
  return (decoder ?? new TextDecoder('utf-8')).decode(bytes);
}
