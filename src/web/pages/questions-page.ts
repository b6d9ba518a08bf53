import type { PageHandler } from '../deps.js';
import { notBuilt } from './not-built.js';

// Placeholder until this page is built (issue 15).
export const questionsPage: PageHandler = (c) => notBuilt(c, 'questionsPage');
export const resolveFromForm: PageHandler = (c) => notBuilt(c, 'resolveFromForm');
