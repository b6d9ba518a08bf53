import type { PageHandler } from '../deps.js';
import { notBuilt } from './not-built.js';

// Placeholder until this page is built (issue 15).
export const saveReview: PageHandler = (c) => notBuilt(c, 'saveReview');
