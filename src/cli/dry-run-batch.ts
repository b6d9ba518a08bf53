import type { AgentDefinition } from '../agents/definition.js';
import type { AssessConfig } from '../config/resolve-config.js';
import type { PromptSet } from '../prompts/load-prompts.js';
import { estimateRun, renderDryRunText } from './commands/dry-run.js';
import type { RunCommandOptions } from './commands/run.js';
import { readBatchInputs } from './event-inputs.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

/**
 * `assess run a.md b.md --dry-run`: each event's estimate, in input order (text one after the
 * other, or one JSON document per line with `--format json`); bad inputs are reported and
 * skipped (exit 2). No model client, no key, no archive, as for one event.
 */
export async function dryRunBatch(
  args: string[],
  options: RunCommandOptions,
  io: CliIo,
  stdin: Uint8Array | undefined,
  setup: { config: AssessConfig; agents: AgentDefinition[]; prompts: PromptSet; abs: (path: string) => string },
): Promise<ExitCode> {
  const { config, agents, prompts, abs } = setup;
  const inputs = await readBatchInputs(args, { io, abs, maxEventChars: config.maxEventChars, stdin });
  let printed = 0;
  for (const input of inputs) {
    if (!input.ok) {
      io.stderr.write(`assess: ${input.reason}${inputs.some((i) => i.ok) ? '; skipped' : ''}\n`);
      continue;
    }
    const report = await estimateRun({ config, event: input.event, agents, prompts, abs });
    if (options.format === 'json') io.stdout.write(`${JSON.stringify({ n: input.n, source: input.label, ...report })}\n`);
    else io.stdout.write(`${printed > 0 ? '\n' : ''}${input.n}/${inputs.length} ${input.label}\n${renderDryRunText(report)}`);
    printed++;
  }
  if (options.out !== undefined) io.stderr.write('assess: --out is ignored with --dry-run; nothing was written\n');
  return inputs.every((i) => i.ok) ? EXIT.ok : EXIT.usage;
}
