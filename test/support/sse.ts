/**
 * Server-Sent Event bodies for the fakes: a complete OpenAI chat completion or Anthropic message,
 * sent the way the real APIs stream it, so the SDKs' streaming paths are exercised end to end.
 * The fault server and the msw fakes both build their streams here.
 */

const event = (data: unknown, name?: string): string => `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** How answer text is cut into streamed pieces. */
export type Pieces = (text: string) => string[];

/** Pieces of at most 64 characters. */
export const piecesOf64: Pieces = (text) => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 64) out.push(text.slice(i, i + 64));
  return out;
};

interface OpenAICompletionLike {
  id: string;
  created: number;
  model: string;
  system_fingerprint?: string | null;
  choices: { message: { content: string | null; refusal?: string | null }; finish_reason: string }[];
  usage?: unknown;
}

/** An OpenAI streamed chat completion as events; the usage chunk only when `stream_options.include_usage` asked for it. */
export function openAIStreamEvents(completion: OpenAICompletionLike, includeUsage: boolean, pieces: Pieces = piecesOf64): string[] {
  const base = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    ...(completion.system_fingerprint !== undefined ? { system_fingerprint: completion.system_fingerprint } : {}),
  };
  const message = completion.choices[0]?.message ?? { content: '' };
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const refusal = message.refusal ?? null;
  const out = [event(chunk({ role: 'assistant', content: refusal === null ? '' : null, refusal: null }, null))];
  for (const piece of pieces(refusal ?? message.content ?? '')) out.push(event(chunk(refusal === null ? { content: piece } : { refusal: piece }, null)));
  out.push(event(chunk({}, completion.choices[0]?.finish_reason ?? 'stop')));
  if (includeUsage) out.push(event({ ...base, choices: [], usage: completion.usage }));
  out.push('data: [DONE]\n\n');
  return out;
}

export const openAIStream = (completion: OpenAICompletionLike, includeUsage: boolean): string => openAIStreamEvents(completion, includeUsage).join('');

interface AnthropicMessageLike {
  model: string;
  content: { type: string; text?: string }[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number; [k: string]: unknown };
  [k: string]: unknown;
}

/** An Anthropic streamed message as events: `message_start` (input usage) … `message_delta` (stop reason, output usage). */
export function anthropicStreamEvents(message: AnthropicMessageLike, pieces: Pieces = piecesOf64): string[] {
  const text = message.content.map((b) => b.text ?? '').join('');
  const out = [
    event({ type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } } }, 'message_start'),
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } }, 'content_block_start'),
    event({ type: 'ping' }, 'ping'),
  ];
  for (const piece of pieces(text)) out.push(event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }, 'content_block_delta'));
  out.push(event({ type: 'content_block_stop', index: 0 }, 'content_block_stop'));
  out.push(event({ type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: message.usage.output_tokens } }, 'message_delta'));
  out.push(event({ type: 'message_stop' }, 'message_stop'));
  return out;
}

export const anthropicStream = (message: AnthropicMessageLike): string => anthropicStreamEvents(message).join('');

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } as const;
