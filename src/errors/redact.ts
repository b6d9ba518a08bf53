/**
 * Provider error messages sometimes echo the key they rejected ("Incorrect API key provided:
 * sk-…"). Anything shaped like a key is masked before a message reaches logs, reports or the
 * archive; known secret values are masked wherever they appear.
 */
// A Bearer token may hold dots (JWTs) but does not end with one: a full stop after it is prose.
const KEY_SHAPES = [/\bsk-ant-[A-Za-z0-9_-]{6,}/g, /\bsk-[A-Za-z0-9_*-]{6,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{7,}[A-Za-z0-9_~+/=-]/gi];

/** Every key shape above contains one of these; text without any of them needs no regex pass. */
const KEY_MARKERS = /sk-|bearer/i;

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Every prompt, answer and report passes through here: the cheap checks come first.
  for (const secret of secrets) if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join('[redacted]');
  if (!KEY_MARKERS.test(out)) return out;
  for (const shape of KEY_SHAPES) out = out.replace(shape, '[redacted]');
  return out;
}
