import type { PageHandler } from '../deps.js';
import { notBuilt } from './not-built.js';

// Placeholder until this page is built (issue 15).
export const threadsPage: PageHandler = (c) => notBuilt(c, 'threadsPage');
export const threadPage: PageHandler = (c) => notBuilt(c, 'threadPage');
