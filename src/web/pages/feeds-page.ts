import type { PageHandler } from '../deps.js';
import { notBuilt } from './not-built.js';

// Placeholder until this page is built (issue 15).
export const feedsPage: PageHandler = (c) => notBuilt(c, 'feedsPage');
export const feedsStream: PageHandler = (c) => notBuilt(c, 'feedsStream');
