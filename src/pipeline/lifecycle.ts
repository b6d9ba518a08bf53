import type { AgentAssessment } from '../assessment/schema.js';
import type { CallRecord } from '../llm/generate-object.js';
import type { RiskView } from '../synthesis/schema.js';
import type { FailureKind } from './run-event.js';

/**
 * What the pipeline tells whoever listens (terminal progress, logs, later the archive). The
 * pipeline itself never prints.
 */
export type LifecycleEvent =
  | { type: 'desk-queued'; agentId: string }
  | { type: 'desk-started'; agentId: string; provider: string; model: string }
  | { type: 'desk-repairing'; agentId: string; turn: number; issues: string[] }
  | { type: 'desk-retrying'; agentId: string; retry: number; delayMs: number; reason: string }
  /** Waiting for a rate-limit slot (`waiting: true`), or sent after waiting (`false`). */
  | { type: 'desk-throttled'; agentId: string; waiting: boolean }
  /** The desk's model failed after its retries; the next model of its fallback chain takes over. */
  | { type: 'desk-fallback'; agentId: string; from: string; to: string; reason: string }
  /** Answer text arriving on a streamed call: characters so far (reported at most a few times a second). */
  | { type: 'desk-receiving'; agentId: string; chars: number }
  | { type: 'desk-done'; agentId: string; elapsedMs: number; assessment: AgentAssessment }
  | { type: 'desk-failed'; agentId: string; kind: FailureKind; reason: string; elapsedMs: number }
  | { type: 'synthesis-started'; provider: string; model: string }
  | { type: 'synthesis-repairing'; turn: number; issues: string[] }
  | { type: 'synthesis-retrying'; retry: number; delayMs: number; reason: string }
  | { type: 'synthesis-throttled'; waiting: boolean }
  | { type: 'synthesis-fallback'; from: string; to: string; reason: string }
  | { type: 'synthesis-receiving'; chars: number }
  | { type: 'synthesis-done'; elapsedMs: number; warnings: string[]; view: RiskView }
  | { type: 'synthesis-failed'; reason: string; elapsedMs: number }
  | { type: 'call'; agentId: string | null; record: CallRecord };

export type LifecycleListener = (event: LifecycleEvent) => void;
