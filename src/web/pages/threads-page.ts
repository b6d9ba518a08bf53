import { listThreads, type ThreadSummary } from '../../archive/list-threads.js';
import { loadQuestion, loadThreadQuestions, type StoredForecast, type ThreadQuestion } from '../../archive/forecasts.js';
import { loadThreadView, type ThreadView } from '../../archive/thread-view.js';
import { InputError } from '../../errors/index.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { probabilityLines, type ProbabilityChart } from '../charts/probability-lines.js';
import type { PageHandler } from '../deps.js';
import { layout } from '../layout.js';
import { refuse, respond } from '../respond.js';

/**
 * `/threads` and `/threads/:id` (issue 15 §2): the list `assess threads list` prints, and one
 * thread as `assess threads show` reads it (loadThreadView + loadThreadQuestions), plus each
 * desk's forecasts of the thread's scenario question over time (loadQuestion) for the desk lines.
 */
export interface ThreadsPageData {
  threads: ThreadSummary[];
}

export interface ThreadPageData extends ThreadView {
  questions: ThreadQuestion[];
  /** Every forecast of the scenario question (desks, pools, baseline), oldest first; [] without one. */
  scenarioForecasts: StoredForecast[];
}

const when = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

export const threadsPage: PageHandler = (c, deps) => {
  const data: ThreadsPageData = { threads: listThreads(deps.read, { now: deps.now() }) };
  return respond(c, data, (d) =>
    layout({
      title: 'Threads',
      section: 'threads',
      page: 'threads',
      body: html`<h1>Threads</h1>
${d.threads.length === 0 ? html`<p class="message">No threads yet: runs join threads as related events are assessed.</p>` : ''}
<table class="threads"><thead><tr><th scope="col">Thread</th><th scope="col" class="num">Events</th><th scope="col" class="num">Runs</th><th scope="col">Last event</th><th scope="col">Latest run</th><th scope="col">State</th></tr></thead><tbody>
${d.threads.map(
  (t) => html`<tr data-nav-item><td><a href="/threads/${t.id}">${t.title}</a> <span class="muted tid">${t.id}</span></td><td class="num">${t.events}</td><td class="num">${t.runs}</td><td>${when(t.lastEventAt)}</td>
<td>${t.latestRun ? html`<a href="/runs/${t.latestRun.runId}">${when(t.latestRun.startedAt)}</a> ${t.latestRun.status}${t.latestRun.overallRisk ? html` · ${t.latestRun.overallRisk}` : ''}` : '—'}</td><td>${t.active ? 'active' : 'inactive'}</td></tr>`,
)}
</tbody></table>`,
    }),
  );
};

const isDesk = (forecaster: string): boolean => !forecaster.includes(':');

/** The chart of one scenario: the pooled line from the thread view, the desks' from their forecasts. */
function scenarioChart(view: ThreadPageData, scenario: ThreadView['scenarios'][number]): ProbabilityChart {
  const runs = view.events.flatMap((e) => e.runs.map((r) => ({ runId: r.runId, at: r.startedAt }))).sort((a, b) => a.at.localeCompare(b.at));
  const byDesk = new Map<string, { runId: string; probability: number }[]>();
  if (scenario.lineageId !== null) {
    for (const f of view.scenarioForecasts) {
      const p = f.probabilities[scenario.lineageId];
      if (!isDesk(f.forecaster) || p === undefined) continue;
      const points = byDesk.get(f.forecaster) ?? [];
      // One point per run: forecasts recorded again for a run (a later synthesis) replace the earlier.
      const same = points.findIndex((x) => x.runId === f.runId);
      if (same >= 0) points[same] = { runId: f.runId, probability: p };
      else points.push({ runId: f.runId, probability: p });
      byDesk.set(f.forecaster, points);
    }
  }
  return {
    title: `${scenario.lineageId ? `${scenario.lineageId} ` : ''}${scenario.name}: probability over time`,
    runs,
    series: [
      { name: 'Pooled', pooled: true, points: scenario.history.map((h) => ({ runId: h.runId, probability: h.probability })) },
      ...[...byDesk].sort(([a], [b]) => a.localeCompare(b)).map(([name, points]) => ({ name, pooled: false, points })),
    ],
  };
}

const pct = (p: number | undefined): string => (p === undefined ? '—' : `${Math.round(p * 100)}%`);

function questionsTable(questions: readonly ThreadQuestion[]): SafeHtml {
  return html`${questions.map((q) => {
    const pool = q.latest['pool:trimmed-mean'] ?? q.latest['pool:median'];
    const outcome = q.resolution === null ? 'unresolved' : q.resolution.outcome === null ? 'void' : (q.options.find((o) => o.id === q.resolution!.outcome)?.label ?? q.resolution.outcome);
    return html`<div class="thread-question"><h3><span class="muted qid">${q.id}</span> ${q.title}</h3>
<p class="muted">Resolve by ${q.resolveBy ?? '—'} · ${outcome}${q.resolution ? html` (${q.resolution.at})` : ''}</p>
<table><thead><tr><th scope="col">Forecaster</th>${q.options.map((o) => html`<th scope="col" class="num">${o.label}</th>`)}</tr></thead><tbody>
${Object.entries(q.latest).map(([who, probs]) => html`<tr${who === 'pool:trimmed-mean' ? html` class="pooled-row"` : ''}><td>${who}</td>${q.options.map((o) => html`<td class="num">${pct(probs[o.id])}</td>`)}</tr>`)}
</tbody></table>
${pool ? '' : html`<p class="muted">No pooled forecast yet.</p>`}</div>`;
  })}`;
}

function threadView(d: ThreadPageData): SafeHtml {
  const desks = Object.keys(d.stances).sort();
  const runs = d.events.flatMap((e) => e.runs).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return html`<h1>${d.title}</h1>
<p class="muted">${d.id} · ${d.events.length} event${d.events.length === 1 ? '' : 's'} · created ${when(d.createdAt)} · last event ${when(d.lastEventAt)}${d.mergedFrom.length > 0 ? html` · merged from ${d.mergedFrom.join(', ')}` : ''}</p>
${d.note ? html`<p class="message">${d.note}</p>` : ''}
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
<ol class="timeline">
${d.events.map(
  (e) => html`<li><time datetime="${e.at}">${e.at.slice(0, 10)}</time> <strong>${e.title}</strong> <span class="muted">(${e.link.method}${e.link.score !== null ? html` ${e.link.score.toFixed(2)}` : ''})</span>
<ul class="timeline-runs">${e.runs.map((r) => html`<li data-nav-item><a href="/runs/${r.runId}">run ${r.runId.slice(0, 8)}</a> <span class="muted">${when(r.startedAt)} · ${r.status}${r.overallRisk ? html` · ${r.overallRisk}` : ''}</span></li>`)}</ul></li>`,
)}
</ol></section>
<section aria-labelledby="scen-h"><h2 id="scen-h">Scenarios over time</h2>
${d.scenarios.length === 0 ? html`<p class="message">No consolidated scenarios yet.</p>` : d.scenarios.map((s, i) => probabilityLines(scenarioChart(d, s), String(i)))}
</section>
<section aria-labelledby="stance-h"><h2 id="stance-h">Stance history</h2>
<table class="stances"><thead><tr><th scope="col">Desk</th>${runs.map((r) => html`<th scope="col"><a href="/runs/${r.runId}">${when(r.startedAt)}</a></th>`)}</tr></thead><tbody>
${desks.map((desk) => html`<tr><th scope="row">${desk}</th>${runs.map((r) => html`<td>${d.stances[desk]!.find((s) => s.runId === r.runId)?.stance ?? '—'}</td>`)}</tr>`)}
</tbody></table></section>
<section aria-labelledby="q-h"><h2 id="q-h">Questions</h2>
${d.questions.length === 0 ? html`<p class="message">No questions for this thread.</p>` : questionsTable(d.questions)}
<p><a href="/questions">Resolve questions and see the scores</a></p>
</section>`;
}

export const threadPage: PageHandler = (c, deps) => {
  let view: ThreadView;
  try {
    view = loadThreadView(deps.read, c.req.param('id') ?? '');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return refuse(c, 404, error.message, 'threads');
  }
  const questions = loadThreadQuestions(deps.read, view.id);
  const scenarioQuestion = questions.find((q) => q.type === 'multiple-choice');
  const data: ThreadPageData = { ...view, questions, scenarioForecasts: scenarioQuestion ? loadQuestion(deps.read, scenarioQuestion.id).forecasts : [] };
  return respond(c, data, (d) => layout({ title: d.title, section: 'threads', page: 'thread', body: threadView(d) }));
};
