export * from './schema.js';
export { finalizeAssessment } from './finalize.js';
