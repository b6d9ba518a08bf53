import type { WebContext } from '../deps.js';
import { messagePage } from '../layout.js';

/** What a route answers until its page exists: 501, said plainly. */
export function notBuilt(c: WebContext, what: string): Response {
  return c.html(String(messagePage('Not built yet', `${what}: this page is not built yet.`)), 501);
}
