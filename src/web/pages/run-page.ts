import { loadCalls } from '../../archive/load-run.js';
import { loadRunReviews } from '../../archive/reviews.js';
import { trackRecordsOf } from '../../archive/track-records.js';
import { reviewAuthor } from './reviews.js';
import { toRunJson } from '../../report/json.js';
import type { PageHandler } from '../deps.js';
import { respond } from '../respond.js';
import { lookupRun } from '../views/run-lookup.js';
import { renderRunPage } from '../views/run-view.js';

/**
 * `/runs/:id` (a full id or a unique prefix): the consolidated view, the desks, the calls. The JSON
 * twin is the run's JSON report exactly as `assess runs show <id> --format json` gives it.
 */
export const runPage: PageHandler = (c, deps) => {
  const found = lookupRun(c, deps, c.req.param('id') ?? '');
  if ('response' in found) return found.response;
  const { result } = found.run;
  const reviews = loadRunReviews(deps.read, result.runId);
  // The same document `runs show --format json` writes, reviews included.
  return respond(c, toRunJson(result, reviews), () =>
    renderRunPage({
      run: result,
      calls: loadCalls(deps.read, result.runId),
      reviews,
      context: { csrf: c.get('csrf'), author: reviewAuthor(c), trackRecords: trackRecordsOf(deps.read) ?? {} },
    }),
  );
};
