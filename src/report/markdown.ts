import type { AgentAssessment } from '../assessment/schema.js';
import { describeCut } from '../event/size-cap.js';
import type { RunResult } from '../pipeline/run-event.js';
import type { RiskView } from '../synthesis/schema.js';
import { cacheNote, cell, percent, usd } from './format.js';
import { groupInOrder } from './group-in-order.js';
import { thousands } from '../format/thousands.js';
import type { DeskUpdate } from '../assessment/update.js';
import { renderSinceLastMarkdown } from './since-last-markdown.js';
import { renderReviewsMarkdown } from './reviews-markdown.js';
import type { Review } from '../archive/reviews.js';
import { threadLine } from './thread-line.js';
import { citation, evidenceMark, groundingText, movementText, reasonText, updateHeading } from './desk-update.js';

/**
 * "What changed since <date> (run xxxxxxxx)": the desk's headline, each trajectory's move as code
 * computed it (or "no change"), additions and retirements, flags for review, indicator statuses.
 */
export function renderDeskUpdateMarkdown(u: DeskUpdate): string {
  const out: string[] = [`### ${updateHeading(u)}`, ''];
  if (u.headline) out.push(u.headline, '');
  for (const c of u.changes) {
    const reason = reasonText(c);
    const flags = c.flags.length > 0 ? ` **⚠ ${c.flags.join('; ')}**` : '';
    out.push(`- **${c.name}** (\`${c.trajectoryId}\`): ${movementText(c)}${reason ? ` — ${reason}` : ''}${flags}`);
  }
  if (u.changes.length > 0) out.push('');
  if (u.needsReview) out.push('**Flagged for review:** a change above is uncited, unexplained or a large jump.', '');
  if (u.indicators.length > 0) {
    out.push('Indicators whose status changed:', '');
    for (const i of u.indicators) out.push(`- **${i.indicator}** (\`${i.indicatorId}\`): ${i.status} — ${i.note}${citation(i.evidence)}`);
    out.push('');
  }
  return out.join('\n');
}

/** One desk's assessment, laid out like a desk's written reading: facts, upside, risks by axis, trajectories, sign-off. */
/** A desk's record on resolved forecast questions, computed from the archive by the caller (the renderer does no I/O). */
export interface TrackRecord {
  /** Time-averaged Brier score (mean over its questions). */
  brier: number;
  /** Resolved, non-void questions it forecast. */
  n: number;
}

/** Desk id → its track record; desks with no resolved questions are absent. */
export type TrackRecords = Readonly<Record<string, TrackRecord>>;

export interface RunReportOptions {
  trackRecords?: TrackRecords;
  /** Analysts' reviews of the run (loadRunReviews); a "Reviews" section when there are any. */
  reviews?: readonly Review[];
}

/** "JP-01: Brier 0.18 over 3 questions". */
export function trackRecordText(agentId: string, r: TrackRecord): string {
  return `${agentId}: Brier ${r.brier.toFixed(2)} over ${r.n} question${r.n === 1 ? '' : 's'}`;
}

export function renderAssessmentMarkdown(a: AgentAssessment, trackRecord?: TrackRecord): string {
  const out: string[] = [];
  out.push(`## ${a.agentId} — ${a.agentName}`, '');
  if (trackRecord) out.push(`_Track record: ${trackRecordText(a.agentId, trackRecord)}._`, '');
  // A desk that updated its earlier view opens with what moved.
  if (a.update) out.push(renderDeskUpdateMarkdown(a.update));
  out.push(`**Stance: ${a.stance.label}** — ${a.stance.reason}`, '');
  if (a.opening) out.push(a.opening, '');
  out.push(`**Bottom line.** ${a.bottomLine}`, '');
  if (a.grounding) out.push(`_Grounding: ${groundingText(a.grounding)}._`, '');

  out.push('### What we know so far: mechanics, structure, and commitments', '');
  // Assessments archived before grounding have no evidence to show: their table keeps three columns.
  if (a.grounding) {
    out.push('| Feature | Details | Sources | Evidence |', '| --- | --- | --- | --- |');
    for (const f of a.keyFacts) {
      out.push(`| ${cell(f.feature)} | ${cell(f.detail)} | ${cell(f.sources.join(', ') || '—')} | ${cell(evidenceMark(f.evidence) ?? '—')} |`);
    }
  } else {
    out.push('| Feature | Details | Sources |', '| --- | --- | --- |');
    for (const f of a.keyFacts) out.push(`| ${cell(f.feature)} | ${cell(f.detail)} | ${cell(f.sources.join(', ') || '—')} |`);
  }
  out.push('');
  if (a.openQuestions.length > 0) {
    out.push('Open questions and ambiguities:', '');
    for (const q of a.openQuestions) out.push(`- ${q}`);
    out.push('');
  }

  if (a.upside.length > 0) {
    out.push('### Strategic rationale & upside', '');
    a.upside.forEach((u, i) => out.push(`${i + 1}. **${u.title}**  `, `   ${u.explanation}`));
    out.push('');
  }

  out.push('### Key challenges, risks, and constraints', '');
  groupInOrder(a.risks, (r) => r.axis).forEach(([axis, risks], i) => {
    out.push(`#### ${i + 1}. ${axis}`, '');
    for (const r of risks) {
      const sources = r.sources.length > 0 ? ` _Sources: ${r.sources.join(', ')}._` : '';
      const mark = evidenceMark(r.evidence);
      const horizon = r.resolveBy ? ` by ${r.resolveBy}` : '';
      out.push(`- **${r.title}** (\`${r.id}\` · severity ${r.severity} · likelihood ${percent(r.likelihood)}${horizon}${mark ? ` · ${mark}` : ''})  `);
      out.push(`  ${r.description}${sources}${r.resolution ? '  ' : ''}`);
      if (r.resolution) out.push(`  _Resolves if:_ ${r.resolution}`);
    }
    out.push('');
  });

  out.push('### Assessment: feasibility and likely trajectories', '');
  if (a.feasibility) out.push(a.feasibility, '');
  // Horizons (issue 14): a "Resolves by" column and the criteria under the table; assessments
  // archived before then have neither and keep the old layout.
  const resolvable = a.trajectories.some((t) => t.resolveBy || t.resolution);
  if (resolvable) {
    out.push('| Trajectory | Likelihood | Resolves by | Key dynamics | Implications |', '| --- | --- | --- | --- | --- |');
  } else {
    out.push('| Trajectory | Likelihood | Key dynamics | Implications |', '| --- | --- | --- | --- |');
  }
  for (const t of a.trajectories) {
    const horizon = resolvable ? ` ${t.resolveBy ?? '—'} |` : '';
    out.push(`| ${cell(t.name)} (\`${t.id}\`) | ${cell(t.label)} (${percent(t.probability)}) |${horizon} ${cell(t.keyDynamics)} | ${cell(t.implications)} |`);
  }
  out.push('');
  const criteria = a.trajectories.filter((t) => t.resolution);
  if (criteria.length > 0) {
    out.push('How each trajectory resolves:', '');
    for (const t of criteria) out.push(`- \`${t.id}\` ${t.name}${t.resolveBy ? ` (by ${t.resolveBy})` : ''}: ${t.resolution}`);
    out.push('');
  }
  if (a.lean) out.push(a.lean, '');
  if (a.caveats.length > 0) {
    out.push('A few additional caveats:', '');
    for (const c of a.caveats) out.push(`- ${c}`);
    out.push('');
  }

  out.push(`### Strategic significance for ${a.agentName.replace(/ Desk$/, '')} going forward`, '');
  if (a.strategicSignificance.intro) out.push(a.strategicSignificance.intro, '');
  for (const p of a.strategicSignificance.points) out.push(`- ${p}`);
  out.push('');

  out.push('### Indicators to watch', '');
  for (const i of a.indicators) out.push(`- **${i.indicator}** (\`${i.id}\`) — ${i.why}`);
  out.push('');
  if (a.warnings && a.warnings.length > 0) {
    out.push("Notes on this desk's output:", '');
    for (const w of a.warnings) out.push(`- ${w}`);
    out.push('');
  }
  out.push(`_Confidence: ${percent(a.confidence)} · ${a.provenance.provider}/${a.provenance.model} · prompt ${a.provenance.promptHash}_`, '');
  out.push(`— ${a.signOff}`, '');
  return out.join('\n');
}

/** The consolidated view: numbers computed in code, narrative from the synthesizer. */
export function renderRiskViewMarkdown(view: RiskView): string {
  const out: string[] = [];
  out.push('## Consolidated risk view', '');
  out.push(
    `**Overall risk: ${view.overallRisk.level}** (expected-impact score ${view.overallRisk.score.toFixed(2)} of 4, driven by ${view.overallRisk.drivers.join(', ') || 'no risks'})`,
    '',
  );
  out.push(view.bottomLine, '');
  const missing = view.coverage.missing.map((m) => `${m.agentId} (${m.reason})`).join('; ');
  out.push(`Coverage: ${view.coverage.included.length} desk(s) — ${view.coverage.included.join(', ')}${missing ? `. Missing: ${missing}` : ''}.`, '');

  if (view.consensus.length > 0) {
    out.push('### Consensus', '');
    for (const c of view.consensus) out.push(`- ${c.point} _(${c.agentIds.join(', ')})_`);
    out.push('');
  }
  if (view.divergences.length > 0) {
    out.push('### Divergences', '');
    for (const d of view.divergences) {
      out.push(`**${d.topic}**`, '');
      for (const p of d.positions) out.push(`- **${p.agentId}**: ${p.position}`);
      out.push('');
    }
  }

  out.push('### Merged risk register', '');
  out.push('| # | Risk | Axis | Desks | Max severity | Mean severity | Mean likelihood | Score | From |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of view.riskRegister) {
    out.push(
      `| ${r.id} | **${cell(r.title)}** — ${cell(r.summary)} | ${cell(r.axis)} | ${r.agentIds.length} | ${r.maxSeverity} | ${r.meanSeverity.toFixed(2)} | ${percent(r.meanLikelihood)} | ${r.score.toFixed(2)} | ${r.sourceIds.join(', ')} |`,
    );
  }
  out.push('');

  out.push('### Scenarios (pooled across desks)', '');
  out.push('| # | Scenario | Pooled | Spread | Per desk | |', '| --- | --- | --- | --- | --- | --- |');
  for (const s of view.scenarios) {
    const perDesk = s.perAgent.map((p) => `${p.agentId} ${percent(p.probability)}`).join(' · ');
    const flags = [s.disagreement ? '⚠ desks disagree' : '', s.unclustered ? 'unclustered' : ''].filter(Boolean).join(', ');
    out.push(`| ${s.id} | **${cell(s.name)}** — ${cell(s.summary)} | ${percent(s.pooledProbability)} | ${percent(s.spread)} | ${perDesk} | ${flags} |`);
  }
  out.push('', `_Pooling: ${view.method.pooling}; disagreement flagged at a spread of ${percent(view.method.disagreementThreshold)} or more._`, '');

  if (view.watchlist.length > 0) {
    out.push('### Watchlist', '');
    for (const w of view.watchlist) {
      const from = w.sourceIds.length > 0 ? ` _(${w.sourceIds.join(', ')})_` : '';
      out.push(`- **${w.indicator}** — ${w.why}${from}`);
    }
    out.push('');
  }
  if (view.warnings.length > 0) {
    out.push('### Synthesis notes', '');
    for (const w of view.warnings) out.push(`- ${w}`);
    out.push('');
  }
  return out.join('\n');
}

/** The whole run: header, every desk that succeeded, failures, the consolidated view, usage. */
export function renderRunMarkdown(run: RunResult, options: RunReportOptions = {}): string {
  const { event } = run.event;
  const out: string[] = [];
  out.push(`# ${event.title}`, '');
  const meta = [`event ${run.event.id}`, event.publishedAt ? `published ${event.publishedAt.slice(0, 10)}` : '', `run ${run.runId}`, `status **${run.status}**`];
  out.push(`_${meta.filter(Boolean).join(' · ')}_`, '');
  // A cut event is never shown as if it were whole.
  for (const note of describeCut(event.cut)) out.push(`_${note}_`, '');
  if (run.thread) out.push(`_${threadLine(run.thread)}_`, '');
  if (event.summary) out.push(...event.summary.split('\n').map((l) => (l ? `> ${l}` : '>')), '');
  // What moved since the thread's last consolidated view comes before everything else: it is what
  // a reader following the story needs first.
  if (run.synthesis?.sinceLast) out.push(renderSinceLastMarkdown(run.synthesis.sinceLast));

  for (const a of run.assessments) out.push(renderAssessmentMarkdown(a, options.trackRecords?.[a.agentId]));

  if (run.failures.length > 0) {
    out.push('## Desks that failed', '');
    for (const f of run.failures) out.push(`- **${f.agentId}** (${f.kind}): ${f.reason}`);
    out.push('');
  }
  if (run.synthesis) out.push(renderRiskViewMarkdown(run.synthesis));
  else out.push('## Consolidated risk view', '', `_No synthesis: ${run.synthesisError ?? 'unknown reason'}._`, '');
  if (options.reviews && options.reviews.length > 0) out.push(renderReviewsMarkdown(run, options.reviews));

  const t = run.usage.total;
  const cost = t.costUsd === null ? 'cost unknown for these models' : `estimated ${usd(t.costUsd)}${t.costComplete ? '' : ' (some models unpriced)'}`;
  out.push('---', '', `_Usage: ${t.calls} call(s), ${thousands(t.inputTokens)} tokens in${cacheNote(t)}, ${thousands(t.outputTokens)} out; ${cost}._`, '');
  if (run.budget) {
    const b = run.budget;
    const limits = [
      b.maxCostUsd !== undefined ? `${usd(b.spentUsd)} of ${usd(b.maxCostUsd)}` : '',
      b.maxTokens !== undefined ? `${thousands(b.spentTokens)} of ${thousands(b.maxTokens)} tokens` : '',
    ].filter(Boolean);
    out.push(`_Budget: ${limits.join('; ')} spent${b.exceeded ? ` — **${b.exceeded}**; nothing new was started after that` : ''}._`, '');
  }
  return out.join('\n');
}
