import type { ThreadEventView, ThreadView } from '../archive/thread-view.js';
import type { LinkDecision } from '../threads/context.js';
import { cell, percent } from './format.js';
import { sparkline } from './sparkline.js';

/** `assess threads show` for people: the story in time order, how each event joined, stances and scenarios over time. */

const day = (iso: string): string => iso.slice(0, 10);
const minute = (iso: string): string => iso.slice(0, 16).replace('T', ' ');
const short = (id: string): string => id.slice(0, 8);
const score = (value: number): string => value.toFixed(2);

function fromOf(link: LinkDecision): string {
  const from = link.detail['from'];
  return typeof from === 'string' ? from : 'another thread';
}

/** One decision in words: score, method and the thread it beat. */
export function describeLink(link: LinkDecision): string {
  const beat = link.runnerUp ? `; beat ${link.runnerUp.threadId} (${score(link.runnerUp.score)})` : '';
  switch (link.method) {
    case 'similarity':
      return `joined by similarity${link.score === null ? '' : ` ${score(link.score)}`}${beat}`;
    case 'model':
      return `joined on a small model's call${link.score === null ? '' : ` (similarity ${score(link.score)})`}${beat}`;
    case 'new':
      return link.runnerUp
        ? `started a new thread (closest: ${link.runnerUp.threadId} at ${score(link.runnerUp.score)}, below the join threshold)`
        : `started a new thread${link.score === null ? '' : ` (best similarity ${score(link.score)})`}`;
    case 'override':
      return 'put here by --thread or the feed\'s thread: setting';
    case 'override-new':
      return 'started a new thread by --new-thread or the feed\'s thread: new';
    case 'existing':
      return 'already in this thread';
    case 'move':
      return `moved here from ${fromOf(link)}`;
    case 'merge':
      return `merged in with ${fromOf(link)}`;
    case 'backfill':
      return 'archived before threads: a thread of its own';
  }
}

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

export function renderThreadMarkdown(view: ThreadView): string {
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
  if (view.warnings.length > 0) out.push('', '## Warnings', '', ...view.warnings.map((w) => `- ${w}`));
  return `${out.join('\n')}\n`;
}
