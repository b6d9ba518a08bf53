import { listRuns } from '../../archive/list-runs.js';
import { loadRun } from '../../archive/load-run.js';
import { resolveRunId } from '../../archive/resolve-run-id.js';
import { diffDesksWithinRun, diffRuns } from '../../compare/diff-runs.js';
import { InputError } from '../../errors/index.js';
import type { PageHandler } from '../deps.js';
import { respond, wantsJson } from '../respond.js';
import { renderComparePage, type CompareData, type ComparePageModel } from '../views/compare-view.js';

/**
 * `/compare?a=RUN&b=RUN` (two runs) and `/compare?run=RUN&a=DESK&b=DESK` (two desks of one run),
 * with `&only=diff` to leave out what did not change. The diff is the one `assess runs diff`
 * computes (diffRuns / diffDesksWithinRun), called the same way; the JSON twin is that diff object.
 * Without ids the page shows the form only; a missing id is a 400, an unknown one a 404.
 */
const RECENT_RUNS = 50;

export const comparePage: PageHandler = (c, deps) => {
  const query = {
    a: (c.req.query('a') ?? '').trim(),
    b: (c.req.query('b') ?? '').trim(),
    run: (c.req.query('run') ?? '').trim(),
    only: c.req.query('only') === 'diff',
  };
  const model: ComparePageModel = { query, data: null, labels: { a: 'A', b: 'B' }, recentRuns: [], desks: [], error: null };
  let status: 200 | 400 | 404 = 200;
  let data: CompareData | null = null;
  const untouched = !query.a && !query.b && !query.run;
  try {
    if (query.run) {
      const run = loadRun(deps.read, resolveRunId(deps.read, query.run)).result;
      query.run = run.runId;
      model.desks = run.desks.map((d) => d.agentId);
      if (query.a || query.b) {
        if (!query.a || !query.b) {
          status = 400;
          throw new InputError('compare needs two desks: ?run=RUN&a=DESK&b=DESK');
        }
        const [a, b] = [query.a.toUpperCase(), query.b.toUpperCase()];
        for (const desk of [a, b]) {
          if (!model.desks.includes(desk)) throw new InputError(`run ${run.runId.slice(0, 8)} has no desk ${desk}; its desks: ${model.desks.join(', ')}`);
        }
        // diffDesksWithinRun refuses a failed desk with an InputError: shown as one line below.
        data = { mode: 'desks', runId: run.runId, diff: diffDesksWithinRun(run, a, b) };
        model.labels = { a, b };
      } else {
        query.a = model.desks[0] ?? '';
        query.b = model.desks[1] ?? '';
      }
    } else if (!untouched) {
      if (!query.a || !query.b) {
        status = 400;
        throw new InputError('compare needs two runs: ?a=RUN&b=RUN (or ?run=RUN&a=DESK&b=DESK for two desks of one run)');
      }
      const runA = loadRun(deps.read, resolveRunId(deps.read, query.a)).result;
      const runB = loadRun(deps.read, resolveRunId(deps.read, query.b)).result;
      data = { mode: 'runs', diff: diffRuns(runA, runB) };
      model.labels = { a: runA.runId.slice(0, 8), b: runB.runId.slice(0, 8) };
    }
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    model.error = error.message;
    if (status === 200) status = /ambiguous|invalid|failed|no assessment/.test(error.message) && !/unknown|has no desk/.test(error.message) ? 400 : 404;
  }
  model.data = data;
  if (!query.run) model.recentRuns = listRuns(deps.read, { limit: RECENT_RUNS });
  if (model.error !== null) return respond(c, { error: model.error }, () => renderComparePage(model), status);
  // The form alone is a page; as JSON there is nothing to give without two ids.
  if (data === null && wantsJson(c)) return respond(c, { error: 'compare needs ?a=RUN&b=RUN or ?run=RUN&a=DESK&b=DESK' }, () => '', 400);
  return respond(c, data?.diff ?? null, () => renderComparePage(model));
};
