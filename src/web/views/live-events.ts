import { streamSSE } from 'hono/streaming';
import type { WebContext } from '../deps.js';

/**
 * Server-Sent Events for the live pages (`/feeds/events`, `/new/:job/events`): each message is
 * one JSON object whose fields are `data-field` names on the page (app.js writes them as text), a
 * `retry:` hint so a dropped connection comes back on its own, a comment every HEARTBEAT_MS so
 * proxies and the browser keep the connection open, and an end as soon as the client goes away
 * (the response stream cancelled, or the request's signal aborted) or the server closes it.
 */

/** How long the browser waits before reconnecting a dropped stream. */
export const SSE_RETRY_MS = 3_000;
export const HEARTBEAT_MS = 15_000;

export interface LiveChannel {
  /** Sends one message; nothing once the client has gone. */
  send(data: Record<string, string | number | boolean | null>): Promise<void>;
  /** Resolves when the client has gone (or the stream was ended). */
  stopped: Promise<void>;
  isStopped(): boolean;
  /** Resolves after `ms`, or earlier when the client goes away. */
  sleep(ms: number): Promise<void>;
}

export function liveEvents(c: WebContext, body: (live: LiveChannel) => Promise<void>, heartbeatMs: number = HEARTBEAT_MS): Response {
  return streamSSE(c, async (stream) => {
    let stop: () => void = () => undefined;
    let gone = false;
    const stopped = new Promise<void>((resolve) => {
      stop = () => {
        gone = true;
        resolve();
      };
    });
    stream.onAbort(stop);
    const signal = c.req.raw.signal;
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    const heartbeat = setInterval(() => {
      if (!gone) void stream.write(': heartbeat\n\n');
    }, heartbeatMs);
    try {
      await body({
        send: async (data) => {
          if (!gone) await stream.writeSSE({ data: JSON.stringify(data), retry: SSE_RETRY_MS });
        },
        stopped,
        isStopped: () => gone,
        sleep: (ms) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, ms);
            void stopped.then(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
      });
    } finally {
      clearInterval(heartbeat);
      signal.removeEventListener('abort', stop);
    }
  });
}
