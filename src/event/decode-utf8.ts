import { TextDecoder } from 'node:util';
import { InputError } from '../errors/index.js';

/**
 * Byte offset of the first byte that does not begin or continue a well-formed UTF-8 sequence
 * (overlong forms, surrogates and code points above U+10FFFF are ill-formed too), or -1 when all
 * of `bytes` is valid. For a sequence cut short, the offset is that of its lead byte.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    // Allowed range of the second byte (the later ones are always 0x80–0xBF).
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) lo = 0xa0; // no overlong forms
      if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) lo = 0x90; // no overlong forms
      if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/**
 * Decodes UTF-8 strictly: invalid bytes are an InputError naming the input and the byte offset,
 * never a silent U+FFFD. A leading byte-order mark is dropped.
 */
export function decodeUtf8(bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const offset = firstInvalidUtf8Offset(bytes);
    const where = offset >= 0 ? `byte offset ${offset}` : 'byte offset unknown';
    throw new InputError(`${label}: not valid UTF-8 text (${where})`, { cause: error });
  }
}
