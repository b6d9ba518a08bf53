import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { listRuns, loadCalls, loadRun, parseFilters, resolveRunId, type RawFilters, type RunSummary } from '../../archive/index.js';
import type { ArchivedCall } from '../../archive/load-run.js';
import { diffDesksWithinRun, diffRuns } from '../../compare/index.js';
import { InputError } from '../../errors/index.js';
import {
  renderAssessmentDiffMarkdown,
  renderAssessmentMarkdown,
  renderRunDiffMarkdown,
  renderRunHtml,
  renderRunJson,
  renderRunMarkdown,
  usd,
} from '../../report/index.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { withArchive } from '../archive-access.js';

interface DbFlag {
  db?: string;
}

const checkFormat = (format: string, allowed: string[]): void => {
  if (!allowed.includes(format)) throw new InputError(`unknown format ${format}; use ${allowed.join(' or ')}`);
};

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

const shortTitle = (title: string, max = 60): string => (title.length > max ? `${title.slice(0, max - 1)}…` : title);

export function renderRunList(runs: RunSummary[]): string {
  return table(
    ['RUN', 'STARTED', 'STATUS', 'DESKS OK/FAILED', 'RISK', 'COST', 'EVENT'],
    runs.map((r) => [
      r.runId.slice(0, 8),
      r.startedAt.slice(0, 16).replace('T', ' '),
      r.status,
      `${r.desksOk}/${r.desksFailed}${r.desksOk + r.desksFailed < r.desksRequested ? ` of ${r.desksRequested}` : ''}`,
      r.overallRisk ?? '—',
      r.costUsd === null ? '—' : usd(r.costUsd),
      shortTitle(r.eventTitle),
    ]),
  );
}

/** `assess runs list`: newest first, filtered. */
export async function runsListCommand(options: RawFilters & DbFlag & { format: string }, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['text', 'json']);
  const filters = parseFilters(options);
  const runs = await withArchive(options, io, (db) => listRuns(db, filters));
  if (options.format === 'json') io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
  else if (runs.length === 0) io.stderr.write('no runs match\n');
  else io.stdout.write(renderRunList(runs));
  return EXIT.ok;
}

function renderCallLog(calls: ArchivedCall[], agent?: string): string {
  const out: string[] = ['# Call log', ''];
  const shown = agent ? calls.filter((c) => c.agentId === agent) : calls;
  if (shown.length === 0) out.push('_No calls recorded._', '');
  for (const c of shown) {
    const tokens = c.usage ? `${c.usage.inputTokens} in / ${c.usage.outputTokens} out` : 'no usage';
    const round = c.round > 0 ? ` · resume round ${c.round}` : '';
    out.push(`## ${c.purpose} · attempt ${c.attempt} (${c.kind})${round}`, '');
    out.push(`- model: ${c.provider}/${c.model}`);
    out.push(`- finish: ${c.finishReason ?? '—'} · ${tokens} · ${c.latencyMs} ms${c.costUsd !== null ? ` · ${usd(c.costUsd)}` : ''}`);
    out.push(`- at: ${c.createdAt}`);
    if (c.error) out.push(`- error: ${c.error}`);
    if (c.issues.length > 0) {
      out.push('- validation issues:');
      for (const issue of c.issues) out.push(`  - ${issue}`);
    }
    if (c.parsed !== null) out.push('- output: valid');
    if (c.rawText !== null) out.push('', '```json', c.rawText, '```');
    out.push('');
  }
  return out.join('\n');
}

/** `assess runs show <id>`: the report `run` printed, one desk of it, or the call log. */
export async function runsShowCommand(
  id: string,
  options: DbFlag & { agent?: string; calls?: boolean; format: string },
  io: CliIo,
): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  return withArchive(options, io, (db) => {
    const runId = resolveRunId(db, id);
    const { result } = loadRun(db, runId);
    const agent = options.agent?.trim().toUpperCase();
    if (agent && !result.desks.some((d) => d.agentId === agent)) {
      throw new InputError(`run ${runId.slice(0, 8)} has no desk ${options.agent}; its desks: ${result.desks.map((d) => d.agentId).join(', ')}`);
    }
    if (options.calls) {
      const calls = loadCalls(db, runId);
      io.stdout.write(options.format === 'json' ? `${JSON.stringify(agent ? calls.filter((c) => c.agentId === agent) : calls, null, 2)}\n` : renderCallLog(calls, agent));
      return EXIT.ok;
    }
    if (agent) {
      const assessment = result.assessments.find((a) => a.agentId === agent);
      const failure = result.failures.find((f) => f.agentId === agent);
      if (options.format === 'json') io.stdout.write(`${JSON.stringify(assessment ?? failure, null, 2)}\n`);
      else io.stdout.write(assessment ? renderAssessmentMarkdown(assessment) : `## ${agent}\n\n_Failed (${failure?.kind}): ${failure?.reason}_\n`);
      return EXIT.ok;
    }
    io.stdout.write(options.format === 'json' ? renderRunJson(result) : renderRunMarkdown(result));
    return EXIT.ok;
  });
}

/** `assess runs export <id> --format md|json|html [--out FILE]`. */
export async function runsExportCommand(id: string, options: DbFlag & { format: string; out?: string }, io: CliIo): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json', 'html']);
  const text = await withArchive(options, io, (db) => {
    const { result } = loadRun(db, resolveRunId(db, id));
    if (options.format === 'html') return renderRunHtml(result);
    return options.format === 'json' ? renderRunJson(result) : renderRunMarkdown(result);
  });
  if (options.out) {
    const path = isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out);
    await writeFile(path, text).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${options.out}: cannot write (${error.code ?? 'error'})`);
    });
    io.stderr.write(`wrote ${options.out}\n`);
  } else {
    io.stdout.write(text);
  }
  return EXIT.ok;
}

/** `assess runs diff A B`, or `assess runs diff A --agents JP-01,CN-01` for two desks of one run. */
export async function runsDiffCommand(
  a: string,
  b: string | undefined,
  options: DbFlag & { agents?: string; format: string },
  io: CliIo,
): Promise<ExitCode> {
  checkFormat(options.format, ['md', 'json']);
  return withArchive(options, io, (db) => {
    const runA = loadRun(db, resolveRunId(db, a)).result;
    if (options.agents !== undefined) {
      if (b !== undefined) throw new InputError('give either two runs, or one run with --agents A,B');
      const desks = options.agents.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      if (desks.length !== 2) throw new InputError(`--agents ${options.agents}: expected exactly two desks, e.g. JP-01,CN-01`);
      const diff = diffDesksWithinRun(runA, desks[0]!, desks[1]!);
      io.stdout.write(options.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderAssessmentDiffMarkdown(diff, { a: desks[0]!, b: desks[1]! }));
      return EXIT.ok;
    }
    if (b === undefined) throw new InputError('runs diff needs two run ids, or one run with --agents A,B');
    const runB = loadRun(db, resolveRunId(db, b)).result;
    const diff = diffRuns(runA, runB);
    io.stdout.write(
      options.format === 'json'
        ? `${JSON.stringify(diff, null, 2)}\n`
        : renderRunDiffMarkdown(diff, { a: runA.runId.slice(0, 8), b: runB.runId.slice(0, 8) }),
    );
    return EXIT.ok;
  });
}
