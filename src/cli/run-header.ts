import type { AgentDefinition } from '../agents/definition.js';
import type { RunHeader } from '../archive/recorder.js';
import type { Models } from '../config/build-models.js';
import type { IdentifiedEvent } from '../event/schema.js';
import type { RunOptions } from '../pipeline/run-event.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import type { ThreadContext } from '../threads/context.js';

/** What the archive's run row records before any model is called: the event, each desk with its definition and model, the prompts' versions, the thread. */
export function runHeaderFor(input: {
  runId: string;
  event: IdentifiedEvent;
  agents: AgentDefinition[];
  models: Pick<Models, 'forAgent' | 'synthesis'>;
  prompts: Pick<PromptSet, 'deskHash' | 'synthesisHash'>;
  options: RunOptions;
  startedAt: string;
  /** The event's thread and what its desks are shown; absent with no archive. */
  thread?: ThreadContext;
}): RunHeader {
  const { models } = input;
  return {
    runId: input.runId,
    event: input.event,
    desks: input.agents.map((agent) => {
      const model = models.forAgent(agent);
      return { agentId: agent.id, provider: model.provider, model: model.model, definition: agent };
    }),
    synthesisModel: { provider: models.synthesis.provider, model: models.synthesis.model },
    promptHashes: { desk: input.prompts.deskHash, synthesis: input.prompts.synthesisHash },
    options: input.options,
    startedAt: input.startedAt,
    ...(input.thread ? { thread: input.thread } : {}),
  };
}
