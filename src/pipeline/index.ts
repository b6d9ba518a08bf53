export { runEvent, type RunInput, type RunOptions, type RunResult, type RunStatus, type DeskFailure, type FailureKind } from './run-event.js';
export type { LifecycleEvent, LifecycleListener } from './lifecycle.js';
export { summarizeUsage, type UsageReport, type CallUsage } from './usage.js';
