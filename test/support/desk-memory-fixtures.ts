import { finalizeAssessment } from '../../src/assessment/finalize.js';
import type { AgentAssessment } from '../../src/assessment/schema.js';
import type { IdentifiedEvent } from '../../src/event/schema.js';
import type { DeskLastView, DeskMemory, EvidenceEvent, ThreadContext } from '../../src/threads/context.js';
import type { ModelResponse, StructuredModel, StructuredRequest } from '../../src/llm/types.js';
import { runEvent, type RunInput, type RunResult } from '../../src/pipeline/run-event.js';
import { recordedDesk } from './recordings.js';

/**
 * Thread contexts for the desk-memory and grounding tests, shaped as the archive builds them:
 * E1 the event being assessed, E2… earlier events newest first, memory from a desk's last view.
 */

/** The recorded JP-01 assessment of the seed event, as a run of it would have archived it. */
export function seedJpAssessment(): AgentAssessment {
  return finalizeAssessment(recordedDesk('JP-01'), { id: 'JP-01', name: 'Japan Desk' }, {
    eventId: 'a650d00f1aebde57',
    provider: 'replay',
    model: 'recorded-jp-01',
    promptHash: '000000000000',
    attempts: 1,
  });
}

/** A desk's last view taken from an archived assessment, the fields DeskLastView keeps. */
export function lastViewOf(a: AgentAssessment, runId: string, at: string, eventTitle: string): DeskLastView {
  return {
    runId,
    eventId: a.provenance.eventId,
    eventTitle,
    at,
    bottomLine: a.bottomLine,
    stance: a.stance,
    trajectories: a.trajectories.map((t) => ({ id: t.id, name: t.name, probability: t.probability })),
    indicators: a.indicators.map((i) => ({ id: i.id, indicator: i.indicator })),
  };
}

/** JP-01's view of the seed event (run 1a2b3c4d…, 2025-09-26): 3 trajectories at 0.55/0.30/0.15, 7 indicators. */
export function seedJpLastView(): DeskLastView {
  return lastViewOf(seedJpAssessment(), '1a2b3c4d5e6f7a8b', '2025-09-26T09:00:00.000Z', 'Japan Unveils $550B U.S. Investment');
}

export const SEED_EVIDENCE: EvidenceEvent = {
  id: 'E2',
  eventId: 'a650d00f1aebde57',
  title: 'Japan Unveils $550B U.S. Investment',
  at: '2025-09-26T00:00:00.000Z',
  summary: "On September 26, 2025, Japan's Ministry of Finance formally announced a dedicated investment facility at JBIC to operationalize the $550 billion package.",
};

/** A thread for `event` (E1) with the given earlier events (E2…) and desk memories. */
export function threadFor(event: IdentifiedEvent, earlier: Omit<EvidenceEvent, 'id'>[], memory: Record<string, DeskMemory> = {}): ThreadContext {
  const e1: EvidenceEvent = { id: 'E1', eventId: event.id, title: event.event.title, at: event.event.publishedAt ?? '', summary: event.event.summary };
  return {
    thread: {
      id: 'th-test',
      title: 'JBIC facility',
      events: earlier.length + 1,
      link: { threadId: 'th-test', method: 'similarity', score: 0.8, runnerUp: null, detail: {}, decidedAt: '2025-10-10T00:00:00.000Z' },
    },
    evidence: [e1, ...earlier.map((e, i) => ({ ...e, id: `E${i + 2}` }))],
    memory,
    previousSynthesis: null,
    warnings: [],
  };
}

/** A model that answers every call with `answer(request)` as JSON and keeps the requests it saw. */
export function scriptedModel(answer: (request: StructuredRequest) => unknown): StructuredModel & { requests: StructuredRequest[] } {
  const requests: StructuredRequest[] = [];
  return {
    provider: 'scripted',
    model: 'scripted-1',
    requests,
    async complete(request: StructuredRequest): Promise<ModelResponse> {
      requests.push(request);
      return {
        text: JSON.stringify(answer(request)),
        finishReason: 'stop',
        rawFinishReason: 'stop',
        usage: { inputTokens: 100, outputTokens: 100 },
        model: 'scripted-1',
      };
    },
  };
}

/** runEvent with test defaults: one model for desks and synthesizer, no retries, a fixed run id. */
export async function runWith(input: Pick<RunInput, 'event' | 'agents' | 'prompts'> & { model: StructuredModel; thread?: ThreadContext }): Promise<RunResult> {
  return runEvent({
    runId: 'run-under-test',
    event: input.event,
    agents: input.agents,
    modelFor: () => input.model,
    synthesisModel: input.model,
    prompts: input.prompts,
    options: {
      concurrency: 4,
      timeoutMs: 60_000,
      maxRepairs: 0,
      maxOutputTokens: 8192,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    },
    signal: new AbortController().signal,
    ...(input.thread ? { thread: input.thread } : {}),
  });
}
