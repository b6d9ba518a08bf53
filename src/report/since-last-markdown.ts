import type { SinceLast } from '../synthesis/schema.js';
import { percent } from './format.js';
import { formerName, pointsChange, SINCE_LAST_NONE, sinceLastDigest, sinceLastWhen, type SinceLastScenario } from './since-last-format.js';

/**
 * "Since the last consolidated view" as Markdown, the section a thread's report opens with. Model
 * text (scenario names, risk titles, indicators, notes) goes into list items as is, the way
 * markdown.ts writes consensus points and watch items; there are no tables here, so no `cell()`.
 */

function scenarioLine(s: SinceLastScenario): string {
  const was = formerName(s);
  const name = was === null ? s.name : `${s.name} (was “${was}”)`;
  if (s.previous === null || s.delta === null) return `- ${name}: ${percent(s.current)} (new)`;
  const change = pointsChange(s.delta);
  if (change === 'no change') return `- ${name}: ${percent(s.current)} (no change)`;
  return `- ${name}: ${percent(s.previous)} → ${percent(s.current)} (${change})`;
}

export function renderSinceLastMarkdown(s: SinceLast): string {
  const { date, run, about } = sinceLastWhen(s);
  const out: string[] = [];
  out.push(`## Since the last consolidated view (${date}, run ${run})`, '');
  if (about) out.push(`_That view assessed "${about}"._`, '');
  out.push(`_${sinceLastDigest(s)}._`, '');

  out.push('### Scenarios (pooled across desks)', '');
  if (s.scenarios.length === 0 && s.retiredScenarios.length === 0) out.push(SINCE_LAST_NONE.scenarios);
  for (const x of s.scenarios) out.push(scenarioLine(x));
  for (const x of s.retiredScenarios) out.push(`- ${x.name}: was ${percent(x.previous)} (retired)`);
  out.push('');

  out.push('### Desk stances', '');
  if (s.stanceChanges.length === 0) out.push(SINCE_LAST_NONE.stances);
  for (const c of s.stanceChanges) out.push(`- **${c.agentId}**: ${c.previous} → ${c.current}`);
  out.push('');

  out.push('### Merged risks', '');
  if (s.newRisks.length === 0 && s.retiredRisks.length === 0) out.push(SINCE_LAST_NONE.risks);
  for (const r of s.newRisks) out.push(`- New: **${r.title}** (${r.id})`);
  for (const r of s.retiredRisks) out.push(`- Retired: **${r.title}** (was ${r.id})`);
  out.push('');

  out.push('### Indicators that triggered', '');
  if (s.triggeredIndicators.length === 0) out.push(SINCE_LAST_NONE.indicators);
  for (const i of s.triggeredIndicators) {
    out.push(`- **${i.agentId}** — ${i.indicator} (\`${i.indicatorId}\`)${i.note.trim() ? `: ${i.note}` : ''}`);
  }
  out.push('');
  return out.join('\n');
}
