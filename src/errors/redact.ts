/**
 * Provider error messages sometimes echo the key they rejected ("Incorrect API key provided:
 * sk-…"). Anything shaped like a key is masked before a message reaches logs, reports or the
 * archive; known secret values are masked wherever they appear.
 */
const KEY_SHAPES = [/\bsk-ant-[A-Za-z0-9_-]{6,}/g, /\bsk-[A-Za-z0-9_*-]{6,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi];

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  for (const shape of KEY_SHAPES) out = out.replace(shape, '[redacted]');
  return out;
}
