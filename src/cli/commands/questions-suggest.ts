import { createInterface } from 'node:readline';
import PQueue from 'p-queue';
import { resolveQuestion } from '../../archive/resolve-question.js';
import { resolveThreadId } from '../../archive/resolve-thread-id.js';
import { loadSuggestionCandidates, type SkippedQuestion } from '../../archive/suggestion-candidates.js';
import { buildModels } from '../../config/build-models.js';
import { withAbsolutePaths, type ConfigFlags } from '../../config/resolve-config.js';
import { retryPolicyFrom } from '../../config/run-options.js';
import { describeError, InputError } from '../../errors/index.js';
import { redactSecrets } from '../../errors/redact.js';
import type { CallRecord } from '../../llm/generate-object.js';
import { summarizeUsage } from '../../pipeline/usage.js';
import { usd } from '../../report/format.js';
import { resolveRunConfig } from '../plan-run.js';
import { suggestResolution } from '../../pipeline/suggest-resolution.js';
import { loadPrompts } from '../../prompts/load-prompts.js';
import { withArchive } from '../archive-access.js';
import { checkFormat } from '../check-format.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { thousands } from '../../format/thousands.js';
import { confirmationNote, evidenceUrl, renderSuggestionsMarkdown, type CheckedQuestion, type SuggestionsReport } from '../suggestion-report.js';

export interface QuestionsSuggestOptions extends ConfigFlags {
  thread?: string;
  due?: boolean;
  limit?: string;
  confirm?: boolean;
  format: string;
}

/** Questions checked per invocation unless `--limit` says otherwise: one model call each. */
export const DEFAULT_SUGGEST_LIMIT = 20;
/** Calls at once: a handful is plenty for a review command and kind to rate limits. */
const SUGGEST_CONCURRENCY = 4;

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SUGGEST_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InputError(`--limit ${value}: expected a whole number from 1 to 500`);
  return n;
}

/** Reads y/n answers one line at a time (a pipe's lines are buffered, not lost between questions). */
function lineReader(io: CliIo): { ask: (prompt: string) => Promise<string | null>; close: () => void } {
  const rl = createInterface({ input: io.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    ask: async (prompt) => {
      io.stderr.write(prompt);
      const next = await lines.next();
      return next.done ? null : String(next.value);
    },
    close: () => rl.close(),
  };
}

/**
 * `assess questions suggest [Q…] [--thread ID] [--due] [--limit N] [--confirm]`: for each
 * unresolved question whose thread has events newer than the question, one model call proposes a
 * resolution, checked against the events' text (src/forecasts/suggestion.ts). Nothing is written
 * unless `--confirm` is given and a person answers `y` for that question; the resolution then
 * records the cited event's URL and a note naming the model.
 *
 * Exit codes: 0 when every call answered, 3 when some failed, 1 when all failed; 2 for bad input;
 * 130 when interrupted (Ctrl-C).
 */
export async function questionsSuggestCommand(ids: string[], options: QuestionsSuggestOptions, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  const limit = parseLimit(options.limit);
  if (options.confirm && options.format === 'json') throw new InputError('--confirm asks on the terminal; use it with the Markdown output');
  // Configuration resolved as `assess run` resolves it (flags > env/.env > settings file > defaults).
  const { config, abs } = resolveRunConfig(options, io);
  const today = new Date().toISOString().slice(0, 10);

  return withArchive(options, io, async (db) => {
    const threadId = options.thread === undefined ? undefined : resolveThreadId(db, options.thread).id;
    const found = loadSuggestionCandidates(db, {
      questionIds: ids.map((id) => id.trim()),
      ...(threadId !== undefined ? { threadId } : {}),
      due: options.due ?? false,
      today,
    });
    const candidates = found.candidates.slice(0, limit);
    const skipped: SkippedQuestion[] = [
      ...found.skipped,
      ...found.candidates.slice(limit).map((c) => ({ questionId: c.question.id, reason: `over --limit ${limit}` })),
    ];

    // Models and prompts only when there is something to ask: a dry selection needs no key.
    let checked: CheckedQuestion[] = [];
    let calls: CallRecord[] = [];
    let model = 'none';
    let secrets: string[] = [];
    if (candidates.length > 0) {
      const prompts = await loadPrompts(abs(config.promptsDir));
      const models = await buildModels(withAbsolutePaths(config, abs), [], io.fetch);
      secrets = models.secrets;
      model = `${models.synthesis.provider}/${models.synthesis.model}`;
      const queue = new PQueue({ concurrency: SUGGEST_CONCURRENCY });
      const outcomes = await Promise.all(
        candidates.map((candidate) =>
          queue.add(() =>
            suggestResolution(candidate, {
              model: models.synthesis,
              prompts,
              today,
              timeoutMs: config.timeoutMs,
              retry: retryPolicyFrom(config),
              maxRepairs: config.maxRepairs,
              signal: io.signal,
            }),
          ),
        ),
      );
      calls = outcomes.flatMap((o) => o.calls);
      checked = outcomes.map((o, i) => {
        const candidate = candidates[i]!;
        return {
          questionId: candidate.question.id,
          title: candidate.question.title,
          resolveBy: candidate.question.resolveBy,
          events: candidate.events,
          suggestion: o.ok ? o.suggestion : null,
          error: o.ok ? null : redactSecrets(describeError(o.error), secrets),
        };
      });
    }

    const usage = summarizeUsage(calls).total;
    const report: SuggestionsReport = {
      model,
      today,
      checked,
      skipped,
      calls: usage.calls,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      // Unknown when any answered call's price is unknown; nothing called costs nothing.
      costUsd: usage.costComplete ? (usage.costUsd ?? 0) : null,
    };
    io.stdout.write(redactSecrets(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderSuggestionsMarkdown(report), secrets));

    const failed = checked.filter((c) => c.suggestion === null).length;
    const proposed = checked.filter((c) => c.suggestion?.verdict === 'resolved');
    const cost = report.costUsd === null ? 'cost unknown' : usd(report.costUsd);
    io.stderr.write(
      `${checked.length} question(s) checked with ${model}: ${proposed.length} proposed for resolution, ${failed} failed, ${skipped.length} not checked; ` +
        `${report.calls} call(s), ${thousands(report.inputTokens + report.outputTokens)} tokens, ${cost}\n`,
    );

    if (options.confirm && proposed.length > 0 && !io.signal.aborted) {
      const reader = lineReader(io);
      try {
        for (const c of proposed) {
          const s = c.suggestion!;
          const answer = await reader.ask(`Resolve ${c.questionId} as ${s.outcome} (happened ${s.happenedOn})? [y/N] `);
          if (answer === null) {
            io.stderr.write('\nno answer: nothing more resolved\n');
            break;
          }
          if (!/^\s*y(es)?\s*$/i.test(answer)) {
            io.stderr.write(`${c.questionId}: left unresolved\n`);
            continue;
          }
          const url = evidenceUrl(s, c.events);
          try {
            const q = resolveQuestion(db, {
              questionId: c.questionId,
              outcome: s.outcome,
              at: s.at ?? today,
              ...(url !== undefined ? { evidence: url } : {}),
              note: confirmationNote(s, model),
            });
            io.stderr.write(`${q.id} resolved: ${q.resolution?.outcome} at ${q.resolution?.at}\n`);
          } catch (error) {
            // The same rules as `assess resolve` (e.g. a date before every forecast): said, and the next one is asked.
            if (!(error instanceof InputError)) throw error;
            io.stderr.write(`${c.questionId}: not resolved: ${error.message}\n`);
          }
        }
      } finally {
        reader.close();
      }
    }

    // Ctrl-C cut the calls short: what answered is printed, nothing was resolved.
    if (io.signal.aborted) return EXIT.cancelled;
    if (checked.length > 0 && failed === checked.length) return EXIT.failed;
    return failed > 0 ? EXIT.degraded : EXIT.ok;
  });
}
