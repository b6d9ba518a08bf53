import { loadScoringRows } from '../../archive/forecast-scores.js';
import { isDue, listQuestions, type QuestionSummary } from '../../archive/forecasts.js';
import { resolveQuestion } from '../../archive/resolve-question.js';
import { InputError } from '../../errors/index.js';
import { SCORE_GROUPINGS, buildScoresReport, type ScoreGrouping, type ScoresReport } from '../../forecasts/scores-report.js';
import { html, type SafeHtml } from '../../report/escape-html.js';
import { reliabilityDiagram } from '../charts/reliability-diagram.js';
import type { PageHandler } from '../deps.js';
import { csrfField, layout, messagePage } from '../layout.js';
import { refuse, respond } from '../respond.js';

/**
 * `/questions` (issue 15 §2): questions due, every question with a resolve form, and the scores
 * with reliability diagrams. The scores are the report `assess scores` prints (buildScoresReport);
 * a resolution goes through resolveQuestion, the rules of `assess resolve`.
 */
export interface QuestionsPageData {
  by: ScoreGrouping;
  due: QuestionSummary[];
  questions: QuestionSummary[];
  scores: ScoresReport;
}

export const questionsPage: PageHandler = (c, deps) => {
  const by = c.req.query('by') ?? 'desk';
  if (!(SCORE_GROUPINGS as readonly string[]).includes(by)) return refuse(c, 400, `by ${by}: expected one of ${SCORE_GROUPINGS.join(', ')}`, 'questions');
  const now = deps.now();
  const questions = listQuestions(deps.read, { now });
  const data: QuestionsPageData = {
    by: by as ScoreGrouping,
    due: questions.filter((q) => isDue(q, now)),
    questions,
    scores: buildScoresReport(loadScoringRows(deps.read), by as ScoreGrouping, null),
  };
  return respond(c, data, (d) => layout({ title: 'Questions', section: 'questions', page: 'questions', body: questionsView(d, c.get('csrf')) }));
};

const f3 = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

function resolutionText(q: QuestionSummary): SafeHtml {
  if (q.resolution === null) return html`<span class="muted">unresolved</span>`;
  const outcome = q.resolution.outcome === null ? 'void' : (q.options.find((o) => o.id === q.resolution!.outcome)?.label ?? q.resolution.outcome);
  return html`<strong>${outcome}</strong> <span class="muted">at ${q.resolution.at}</span>`;
}

function resolveForm(q: QuestionSummary, csrf: string): SafeHtml {
  const id = `resolve-${q.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return html`<details class="resolve"><summary>Resolve</summary>
<form method="post" action="/questions/${encodeURIComponent(q.id)}/resolve" class="resolve-form" aria-label="Resolve ${q.id}">
${csrfField(csrf)}
<label for="${id}-outcome">Outcome</label>
<select id="${id}-outcome" name="outcome">${q.options.map((o) => html`<option value="${o.id}">${o.label}</option>`)}</select>
<label><input type="checkbox" name="void" value="1"> void (the question cannot be resolved; say why in the note)</label>
<label for="${id}-at">At</label><input id="${id}-at" name="at" placeholder="blank: now; or YYYY-MM-DD, 2026-03-01T12:00Z">
<label for="${id}-evidence">Evidence URL</label><input id="${id}-evidence" name="evidence" type="url" placeholder="https://…">
<label for="${id}-note">Note</label><textarea id="${id}-note" name="note" rows="2"></textarea>
<button type="submit">Record resolution</button>
</form></details>`;
}

function questionRows(list: readonly QuestionSummary[], csrf: string, forms: (q: QuestionSummary) => boolean): SafeHtml {
  return html`<table class="questions"><thead><tr><th scope="col">Question</th><th scope="col">Thread</th><th scope="col">Resolve by</th><th scope="col" class="num">Runs</th><th scope="col">Resolution</th></tr></thead><tbody>
${list.map(
  (q) => html`<tr data-nav-item id="q-${q.id.replace(/[^A-Za-z0-9_-]/g, '_')}">
<td><span class="muted qid">${q.id}</span> ${q.title}${forms(q) ? resolveForm(q, csrf) : ''}</td>
<td><a href="/threads/${q.threadId}">${q.threadId}</a></td>
<td>${q.resolveBy ?? '—'}</td>
<td class="num">${q.runs}</td>
<td>${resolutionText(q)}</td>
</tr>`,
)}
</tbody></table>`;
}

function scoresView(s: ScoresReport): SafeHtml {
  return html`<section aria-labelledby="scores-h"><h2 id="scores-h">Scores by ${s.by}</h2>
<nav class="by" aria-label="Group scores by">${SCORE_GROUPINGS.map((g) => html`<a href="/questions?by=${g}"${g === s.by ? html` aria-current="page"` : ''}>${g}</a>`)}</nav>
${s.note ? html`<p class="message">${s.note}.</p>` : ''}
${s.groups.map(
  (g, gi) => html`${g.group !== null ? html`<h3>Thread ${g.group}</h3>` : ''}
<p class="muted">${g.resolvedQuestions} resolved question${g.resolvedQuestions === 1 ? '' : 's'} scored. Brier: lower is better; log score: higher is better; skill: against the uniform baseline.</p>
<table class="scores"><thead><tr><th scope="col" class="num">Rank</th><th scope="col">Forecaster</th><th scope="col" class="num">N</th><th scope="col" class="num">Brier</th><th scope="col" class="num">Last Brier</th><th scope="col" class="num">Log score</th><th scope="col" class="num">Skill</th><th scope="col" class="num">Sharpness</th></tr></thead><tbody>
${g.rows.map(
  (r) => html`<tr><td class="num">${r.rank ?? '—'}</td><td>${r.forecaster}${r.bestDesk ? html` <span class="badge">best desk</span>` : ''}</td><td class="num">${r.n}</td><td class="num">${f3(r.brier)}</td><td class="num">${f3(r.lastBrier)}</td><td class="num">${f3(r.logScore)}</td><td class="num">${f3(r.brierSkill)}</td><td class="num">${f3(r.sharpness)}</td></tr>`,
)}
</tbody></table>
<div class="reliability-grid">${g.rows.map((r, ri) => html`<figure>${reliabilityDiagram(r.forecaster, r.reliability, `${gi}-${ri}`)}<figcaption>${r.forecaster}</figcaption></figure>`)}</div>`,
)}
</section>`;
}

function questionsView(d: QuestionsPageData, csrf: string): SafeHtml {
  // A due question's form is in the Due table; the full list links to it rather than repeating it.
  const due = new Set(d.due.map((q) => q.id));
  return html`<h1>Questions</h1>
<section aria-labelledby="due-h"><h2 id="due-h">Due (${d.due.length})</h2>
${d.due.length === 0 ? html`<p class="message">No question is due: none unresolved past its resolve-by date.</p>` : questionRows(d.due, csrf, () => true)}
</section>
<section aria-labelledby="all-h"><h2 id="all-h">All questions (${d.questions.length})</h2>
${questionRows(d.questions, csrf, (q) => !due.has(q.id))}
</section>
${scoresView(d.scores)}`;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * POST /questions/:id/resolve: the form's fields into resolveQuestion. Its refusals (an outcome
 * that is not an option, a future date, a date before the first forecast…) are InputErrors: 400
 * with that one line, nothing written. Recorded: 303 back to /questions.
 */
export const resolveFromForm: PageHandler = async (c, deps) => {
  const form = await c.req.parseBody();
  const isVoid = text(form['void']) !== undefined;
  const at = text(form['at']);
  const evidence = text(form['evidence']);
  const note = text(form['note']);
  try {
    // Blank means now, as `assess resolve` without --at.
    resolveQuestion(deps.write, {
      questionId: c.req.param('id') ?? '',
      outcome: isVoid ? null : (text(form['outcome']) ?? ''),
      at: at ?? deps.now().toISOString(),
      ...(evidence !== undefined ? { evidence } : {}),
      ...(note !== undefined ? { note } : {}),
      now: deps.now(),
    });
  } catch (error) {
    if (error instanceof InputError) return c.html(String(messagePage('Not resolved', error.message, 'questions')), 400);
    throw error;
  }
  return c.redirect('/questions', 303);
};
