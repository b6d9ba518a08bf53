import type { ModelResponse } from './types.js';

const MASK = '[redacted]';
/** Keys this short are placeholders (local servers); masking them would mangle ordinary text. */
const MIN_KEY_LENGTH = 8;

const mask = (text: string, key: string): string => (key.length >= MIN_KEY_LENGTH ? text.split(key).join(MASK) : text);

/** A provider answer with the adapter's own key masked wherever it was echoed. */
export function maskKey(response: ModelResponse, key: string): ModelResponse {
  return { ...response, text: mask(response.text, key), ...(response.refusal ? { refusal: mask(response.refusal, key) } : {}) };
}

/**
 * The same for an error: SDK errors quote rejected keys ("Incorrect API key provided: …"). The
 * message is rewritten in place so the error keeps its class, status and headers for retry logic.
 */
export function maskKeyInError(error: unknown, key: string): unknown {
  if (!(error instanceof Error) || key.length < MIN_KEY_LENGTH) return error;
  if (error.message.includes(key)) error.message = mask(error.message, key);
  // The parsed error body (`.error` on both SDKs' APIError) is where error messages are read from.
  const holder = error as Error & { error?: unknown };
  if (typeof holder.error === 'object' && holder.error !== null) {
    const body = JSON.stringify(holder.error);
    if (body.includes(key)) holder.error = JSON.parse(mask(body, key)) as unknown;
  }
  return error;
}
