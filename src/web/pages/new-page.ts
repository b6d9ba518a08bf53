import type { PageHandler } from '../deps.js';
import { notBuilt } from './not-built.js';

// Placeholder until this page is built (issue 15).
export const newPage: PageHandler = (c) => notBuilt(c, 'newPage');
export const startFromForm: PageHandler = (c) => notBuilt(c, 'startFromForm');
export const jobPage: PageHandler = (c) => notBuilt(c, 'jobPage');
export const jobStream: PageHandler = (c) => notBuilt(c, 'jobStream');
