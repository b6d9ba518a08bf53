import { XMLValidator } from 'fast-xml-parser';

/**
 * Whether a feed document is well-formed XML. feedsmith parses with fast-xml-parser, which
 * recovers what it can from a broken document (a feed cut off before `</rss>` still yields its
 * first items); that is what feed readers do, but it must not go unnoticed, so the same library's
 * validator checks the document on its own. (XMLValidator is marked deprecated in favour of the
 * separate fast-xml-validator package; this one is already installed with the parser feedsmith
 * uses, pinned to the same minor version.)
 */

const MAX_DETAIL_CHARS = 160;

/** `Invalid '[ "rss", "channel" ]' found.` is how the validator says tags were left open at the end. */
function unclosedAtEnd(message: string): string[] | undefined {
  if (!/^Invalid '\[/.test(message)) return undefined;
  const tags = [...message.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  return tags.length > 0 ? tags : undefined;
}

/** Null for a well-formed document; otherwise one short line saying what is wrong and where. */
export function xmlProblem(text: string): string | null {
  const result = XMLValidator.validate(text);
  if (result === true) return null;
  const { msg, line } = result.err;
  const open = unclosedAtEnd(msg);
  const detail = open
    ? `${open.map((t) => `<${t}>`).join(', ')} never closed (document cut off?)`
    : `line ${line}: ${msg.replace(/\s+/g, ' ').replace(/\.$/, '')}`;
  return detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS - 1)}…` : detail;
}
