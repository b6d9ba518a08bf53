import type {
  AssessmentDiff,
  ConsolidatedDiff,
  RiskRef,
  RiskRerating,
  RunDiff,
  TrajectoriesDiff,
} from '../compare/diff-runs.js';
import type { DeskFailure } from '../pipeline/run-event.js';
import { cell, percent } from './format.js';

/** What to call the two sides: run ids or file names for `runs diff`, desk ids within one run. */
export interface DiffLabels {
  a: string;
  b: string;
}

const MINUS = '\u2212';

/** A probability shift in signed percentage points: 0.1 → "+10 pts", −0.125 → "−12.5 pts", 0 → "±0 pts". */
export function signedPoints(shift: number): string {
  const v = Math.round(shift * 1000) / 10;
  if (v === 0) return '±0 pts';
  const abs = Math.abs(v);
  return `${v > 0 ? '+' : MINUS}${Number.isInteger(abs) ? abs.toFixed(0) : abs.toFixed(1)} pts`;
}

const signedScore = (shift: number): string => (shift === 0 ? '±0.00' : `${shift > 0 ? '+' : MINUS}${Math.abs(shift).toFixed(2)}`);
const code = (id: string): string => `\`${id}\``;

/**
 * How the renderer words one comparison: a desk against itself in two runs reads as change
 * ("added", "→"); two desks of one run read as difference ("only JP-01 raised", "vs").
 */
interface Wording {
  sameDesk: boolean;
  labels: DiffLabels;
}

/** Two values of one thing: one value if equal, else "a → b" (change) or "a / b" (two desks). */
function pair(a: string, b: string, w: Wording): string {
  return a === b ? a : `${a}${w.sameDesk ? ' → ' : ' / '}${b}`;
}

function stanceLine(d: AssessmentDiff, w: Wording): string[] {
  const s = d.stance;
  if (!s.changed) return [`**Stance:** ${w.sameDesk ? 'unchanged' : 'both'}: ${s.labelA}`];
  const head = w.sameDesk ? `**Stance:** ${s.labelA} → ${s.labelB}` : `**Stance:** ${s.labelA} (${w.labels.a}) vs ${s.labelB} (${w.labels.b})`;
  const reasons = s.reasonA === s.reasonB ? [`- ${s.reasonB}`] : [`- ${w.labels.a}: ${s.reasonA}`, `- ${w.labels.b}: ${s.reasonB}`];
  return [head, '', ...reasons];
}

/** Two probabilities with their shift: "60% → 70% (+10 pts)" across runs, "60% / 50% (−10 pts)" across desks. */
function probabilities(a: number, b: number, shift: number, w: Wording): string {
  return `${pair(percent(a), percent(b), w)} (${signedPoints(shift)})`;
}

function trajectoryTable(t: TrajectoriesDiff, w: Wording): string[] {
  const changed =
    t.added.length > 0 || t.removed.length > 0 || t.matched.some((m) => m.shift !== 0 || m.nameA !== m.nameB || m.labelA !== m.labelB);
  if (!changed) return [`**Trajectories:** ${w.sameDesk ? 'no changes' : 'same probabilities'}.`];
  const out = [
    '**Trajectories**',
    '',
    `| Trajectory | ${cell(w.labels.a)} | ${cell(w.labels.b)} | Shift |`,
    '| --- | --- | --- | --- |',
  ];
  for (const m of t.matched) {
    const name = `${cell(pair(m.nameA, m.nameB, w))} (${pair(code(m.idA), code(m.idB), w)})`;
    const labelsDiffer = m.labelA !== m.labelB;
    const pa = `${percent(m.probabilityA)}${labelsDiffer ? ` · ${cell(m.labelA)}` : ''}`;
    const pb = `${percent(m.probabilityB)}${labelsDiffer ? ` · ${cell(m.labelB)}` : ''}`;
    out.push(`| ${name} | ${pa} | ${pb} | ${signedPoints(m.shift)} |`);
  }
  for (const r of t.removed) {
    out.push(`| ${cell(r.name)} (${code(r.id)}) | ${percent(r.probability)} | — | ${w.sameDesk ? 'dropped' : `only ${cell(w.labels.a)}`} |`);
  }
  for (const r of t.added) {
    out.push(`| ${cell(r.name)} (${code(r.id)}) | — | ${percent(r.probability)} | ${w.sameDesk ? 'new' : `only ${cell(w.labels.b)}`} |`);
  }
  return out;
}

const riskLine = (r: RiskRef): string =>
  `- **${r.title}** (${code(r.id)}) — severity ${r.severity}, likelihood ${percent(r.likelihood)} · _${r.axis}_`;

function reratedLine(r: RiskRerating, w: Wording): string {
  const severity = r.severityChanged ? `severity ${pair(r.severityA, r.severityB, w)}` : `severity ${r.severityA}`;
  const likelihood =
    r.likelihoodShift !== 0
      ? `likelihood ${probabilities(r.likelihoodA, r.likelihoodB, r.likelihoodShift, w)}`
      : `likelihood ${percent(r.likelihoodA)}`;
  return `- **${pair(r.titleA, r.titleB, w)}** (${pair(code(r.idA), code(r.idB), w)}): ${severity}, ${likelihood}`;
}

function list(title: string, lines: string[]): string[] {
  return lines.length > 0 ? [`**${title}**`, '', ...lines, ''] : [];
}

function assessmentBody(d: AssessmentDiff, w: Wording): string[] {
  if (!d.changed) return ['No changes.', ''];
  const { a, b } = w.labels;
  const out: string[] = [...stanceLine(d, w), ''];
  if (d.confidence.shift !== 0) {
    const who = w.sameDesk ? '' : ` (${a} / ${b})`;
    out.push(`**Confidence${who}:** ${probabilities(d.confidence.a, d.confidence.b, d.confidence.shift, w)}`, '');
  }
  out.push(...trajectoryTable(d.trajectories, w), '');

  const r = d.risks;
  if (r.added.length + r.removed.length + r.rerated.length === 0) {
    out.push(`**Risks:** ${w.sameDesk ? 'no changes' : 'the same risks, rated alike'}.`, '');
  } else {
    const added = list(w.sameDesk ? 'Risks added' : `Risks only ${b} raised`, r.added.map(riskLine));
    const removed = list(w.sameDesk ? 'Risks removed' : `Risks only ${a} raised`, r.removed.map(riskLine));
    // Across runs, what is new reads first; across desks, the first desk's side does.
    out.push(...(w.sameDesk ? [...added, ...removed] : [...removed, ...added]));
    out.push(...list(w.sameDesk ? 'Risks re-rated' : 'Shared risks rated differently', r.rerated.map((x) => reratedLine(x, w))));
  }

  const i = d.indicators;
  const indicatorLine = (x: { id: string; indicator: string }) => `- ${x.indicator} (${code(x.id)})`;
  if (i.added.length + i.removed.length === 0) {
    out.push(`**Indicators:** ${w.sameDesk ? 'no changes' : 'the same indicators'}.`, '');
  } else {
    const added = list(w.sameDesk ? 'New indicators' : `Indicators only ${b} watches`, i.added.map(indicatorLine));
    const removed = list(w.sameDesk ? 'Dropped indicators' : `Indicators only ${a} watches`, i.removed.map(indicatorLine));
    out.push(...(w.sameDesk ? [...added, ...removed] : [...removed, ...added]));
  }

  if (d.bottomLine.changed) {
    out.push(`**Bottom line${w.sameDesk ? ' changed' : 's'}**`, '', `- ${a}: ${d.bottomLine.a}`, `- ${b}: ${d.bottomLine.b}`, '');
  }
  return out;
}

const deskTitle = (id: string, name: string): string => (name ? `${id} — ${name}` : id);

/** Where two assessments differ: one desk across two runs, or two desks of one run. */
export function renderAssessmentDiffMarkdown(diff: AssessmentDiff, labels: DiffLabels): string {
  const sameDesk = diff.agentIdA === diff.agentIdB;
  const title = sameDesk
    ? `## ${deskTitle(diff.agentIdA, diff.agentNameA)}: ${labels.a} → ${labels.b}`
    : `## ${deskTitle(diff.agentIdA, diff.agentNameA)} vs ${deskTitle(diff.agentIdB, diff.agentNameB)}`;
  return [title, '', ...assessmentBody(diff, { sameDesk, labels })].join('\n');
}

function consolidatedSection(c: ConsolidatedDiff, labels: DiffLabels): string[] {
  const w: Wording = { sameDesk: true, labels };
  const o = c.overallRisk;
  const score = o.shift !== 0 ? `score ${o.scoreA.toFixed(2)} → ${o.scoreB.toFixed(2)}, ${signedScore(o.shift)}` : `score ${o.scoreA.toFixed(2)}`;
  const level = o.levelChanged ? `${o.levelA} → ${o.levelB}` : `unchanged: ${o.levelA}`;
  const out = [`**Overall risk:** ${level} (${score})`, ''];
  if (!c.changed) return [...out, 'No changes.', ''];

  const s = c.scenarios;
  if (s.added.length + s.removed.length === 0 && s.matched.every((m) => m.shift === 0 && m.nameA === m.nameB)) {
    out.push('**Scenarios:** no changes.', '');
  } else {
    out.push('**Scenarios (pooled across desks)**', '', `| Scenario | ${cell(labels.a)} | ${cell(labels.b)} | Shift |`, '| --- | --- | --- | --- |');
    for (const m of s.matched) {
      out.push(`| ${cell(pair(m.nameA, m.nameB, w))} | ${percent(m.pooledA)} | ${percent(m.pooledB)} | ${signedPoints(m.shift)} |`);
    }
    for (const r of s.removed) out.push(`| ${cell(r.name)} | ${percent(r.pooledProbability)} | — | dropped |`);
    for (const r of s.added) out.push(`| ${cell(r.name)} | — | ${percent(r.pooledProbability)} | new |`);
    out.push('');
  }
  const merged = (r: { id: string; title: string; axis: string; maxSeverity: string; score: number }) =>
    `- **${r.title}** (${code(r.id)}) — max severity ${r.maxSeverity}, score ${r.score.toFixed(2)} · _${r.axis}_`;
  out.push(...list('Merged risks added', c.risks.added.map(merged)));
  out.push(...list('Merged risks removed', c.risks.removed.map(merged)));
  return out;
}

const failureText = (f: DeskFailure | null): string => (f ? `${f.kind} (${f.reason})` : 'no failure');

/** What changed from run A to run B: the consolidated view first, then desk by desk. */
export function renderRunDiffMarkdown(diff: RunDiff, labels: DiffLabels): string {
  const out: string[] = [`# Run diff: ${labels.a} → ${labels.b}`, ''];
  const status = diff.status.a === diff.status.b ? `status ${diff.status.a}` : `status ${diff.status.a} → ${diff.status.b}`;
  out.push(`_run ${diff.runIdA} → ${diff.runIdB} · ${status}_`, '');
  const e = diff.event;
  if (e.same) out.push(`Event: ${e.titleB} (${code(e.idB)})`, '');
  else {
    out.push(
      `**⚠ Different events:** ${labels.a} is "${e.titleA}" (${code(e.idA)}), ${labels.b} is "${e.titleB}" (${code(e.idB)}); desks are compared anyway.`,
      '',
    );
  }
  if (!diff.changed) {
    out.push('**No changes.**', '');
    return out.join('\n');
  }

  out.push('## Consolidated view', '');
  if (diff.consolidated) out.push(...consolidatedSection(diff.consolidated, labels));
  else {
    const why = [
      diff.synthesisMissing.a !== null ? `${labels.a} has no synthesis (${diff.synthesisMissing.a})` : '',
      diff.synthesisMissing.b !== null ? `${labels.b} has no synthesis (${diff.synthesisMissing.b})` : '',
    ].filter(Boolean);
    out.push(`_Not compared: ${why.join('; ')}._`, '');
  }

  out.push('## Desks', '');
  if (diff.onlyInA.length > 0) out.push(`**Only in ${labels.a}:** ${diff.onlyInA.join(', ')}`, '');
  if (diff.onlyInB.length > 0) out.push(`**Only in ${labels.b}:** ${diff.onlyInB.join(', ')}`, '');
  if (diff.failures.length > 0) {
    out.push('**Failures changed**', '');
    for (const f of diff.failures) out.push(`- **${f.agentId}**: ${failureText(f.a)} → ${failureText(f.b)}`);
    out.push('');
  }
  const wording: Wording = { sameDesk: true, labels };
  for (const d of diff.desks.filter((x) => x.changed)) {
    out.push(`### ${deskTitle(d.agentIdB, d.agentNameB)}`, '', ...assessmentBody(d, wording));
  }
  const unchanged = diff.desks.filter((x) => !x.changed).map((x) => x.agentIdB);
  if (unchanged.length > 0) out.push(`**No changes:** ${unchanged.join(', ')}`, '');
  return out.join('\n');
}
