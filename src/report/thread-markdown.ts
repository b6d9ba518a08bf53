import type { ThreadQuestion } from '../archive/forecasts.js';
import type { ThreadEventView, ThreadView } from '../archive/thread-view.js';
import { BINARY_YES } from '../forecasts/types.js';
import { cell, percent } from './format.js';
import { sparkline } from './sparkline.js';
import { describeLink } from './thread-line.js';

export { describeLink };

/** `assess threads show` for people: the story in time order, how each event joined, stances and scenarios over time. */

const day = (iso: string): string => iso.slice(0, 10);
const minute = (iso: string): string => iso.slice(0, 16).replace('T', ' ');
const short = (id: string): string => id.slice(0, 8);

function renderEvent(event: ThreadEventView, n: number): string {
  const date = event.publishedAt ? day(event.publishedAt) : `${day(event.at)} (first assessed)`;
  const lines = [`${n}. ${date} · **${event.title.replace(/\*/g, '\\*')}** (\`${short(event.eventId)}\`)`];
  const [first, ...later] = event.links;
  if (first) lines.push(`   - ${minute(first.decidedAt)}: ${describeLink(first)}`);
  for (const link of later) lines.push(`   - ${minute(link.decidedAt)}: ${describeLink(link)}`);
  if (event.runs.length === 0) lines.push('   - no runs');
  for (const run of event.runs) {
    lines.push(`   - run \`${short(run.runId)}\` ${minute(run.startedAt)} · ${run.status}${run.overallRisk ? ` · risk ${run.overallRisk}` : ''}`);
  }
  return lines.join('\n');
}

const pct = (p: number | undefined): string => (p === undefined ? '—' : percent(p));

function renderQuestion(q: ThreadQuestion): string[] {
  const r = q.resolution;
  const resolution = r === null ? 'unresolved' : `resolved ${r.outcome === null ? 'void' : r.outcome} (${day(r.at)})`;
  const lines = [`### \`${q.id}\` ${q.title.replace(/\*/g, '\\*')}`, '', `Resolve by ${q.resolveBy ? day(q.resolveBy) : '—'} · ${resolution}`, ''];
  const forecasters = Object.entries(q.latest);
  if (forecasters.length === 0) return [...lines, '_No forecasts yet._'];
  if (q.type === 'binary') {
    lines.push('| Forecaster | P(yes) |', '| --- | --- |');
    for (const [name, p] of forecasters) lines.push(`| ${cell(name)} | ${pct(p[BINARY_YES])} |`);
  } else {
    lines.push(`| Forecaster | ${q.options.map((o) => cell(o.id)).join(' | ')} |`, `| --- |${q.options.map(() => ' --- |').join('')}`);
    for (const [name, p] of forecasters) lines.push(`| ${cell(name)} | ${q.options.map((o) => pct(p[o.id])).join(' | ')} |`);
  }
  return lines;
}

/** `questions`: the thread's forecast questions with each forecaster's latest forecast (omitted: no section). */
export function renderThreadMarkdown(view: ThreadView, questions?: readonly ThreadQuestion[]): string {
  const runs = view.events.reduce((sum, e) => sum + e.runs.length, 0);
  const out: string[] = [
    `# Thread ${view.id}: ${view.title}`,
    '',
    `${view.events.length} event(s) · ${runs} run(s) · started ${day(view.createdAt)} · last event ${day(view.lastEventAt)}`,
  ];
  if (view.mergedFrom.length > 0) out.push('', `Merged into this thread: ${view.mergedFrom.join(', ')}.`);

  out.push('', '## Events', '');
  out.push(view.events.length === 0 ? '_No events: they were moved to other threads._' : view.events.map((e, i) => renderEvent(e, i + 1)).join('\n'));

  out.push('', '## Desk stances', '');
  const desks = Object.entries(view.stances);
  if (desks.length === 0) out.push('_No desk assessments yet._');
  else {
    out.push('| Desk | Stance over time (oldest first) |', '| --- | --- |');
    for (const [desk, entries] of desks) {
      out.push(`| ${desk} | ${cell(entries.map((e) => `${e.stance} (${day(e.at)}, ${short(e.runId)})`).join(' → '))} |`);
    }
  }

  out.push('', '## Scenarios: pooled probability', '');
  if (view.scenarios.length === 0) out.push('_No consolidated views yet._');
  else {
    out.push('| Scenario | Trend | History (oldest first) |', '| --- | --- | --- |');
    for (const s of view.scenarios) {
      const label = s.lineageId ? `${s.lineageId} ${s.name}` : s.name;
      const values = s.history.map((h) => h.probability);
      out.push(`| ${cell(label)} | ${sparkline(values)} | ${cell(s.history.map((h) => `${percent(h.probability)} (${day(h.at)})`).join(' → '))} |`);
    }
  }
  if (questions) {
    out.push('', '## Questions', '');
    if (questions.length === 0) out.push('_No forecast questions yet._');
    else out.push(questions.map((q) => renderQuestion(q).join('\n')).join('\n\n'));
  }
  if (view.warnings.length > 0) out.push('', '## Warnings', '', ...view.warnings.map((w) => `- ${w}`));
  return `${out.join('\n')}\n`;
}
