import { loadRunReviews } from '../../archive/reviews.js';
import { trackRecordsOf } from '../../archive/track-records.js';
import { reviewAuthor } from './reviews.js';
import type { PageHandler } from '../deps.js';
import { refuse, respond } from '../respond.js';
import { renderDeskPage } from '../views/desk-view.js';
import { lookupRun } from '../views/run-lookup.js';

/**
 * `/runs/:id/desks/:desk`: one desk's assessment. The JSON twin is the desk's assessment, or its
 * failure, as `assess runs show <id> --agent <desk> --format json` gives it.
 */
export const deskPage: PageHandler = (c, deps) => {
  const found = lookupRun(c, deps, c.req.param('id') ?? '');
  if ('response' in found) return found.response;
  const { result } = found.run;
  const agentId = (c.req.param('desk') ?? '').trim().toUpperCase();
  if (!result.desks.some((d) => d.agentId === agentId)) {
    return refuse(c, 404, `run ${result.runId.slice(0, 8)} has no desk ${agentId}; its desks: ${result.desks.map((d) => d.agentId).join(', ')}`);
  }
  const data = result.assessments.find((a) => a.agentId === agentId) ?? result.failures.find((f) => f.agentId === agentId) ?? null;
  return respond(c, data, () =>
    renderDeskPage({
      run: result,
      agentId,
      reviews: loadRunReviews(deps.read, result.runId),
      // A review saved here comes back here, with the author remembered.
      context: { csrf: c.get('csrf'), author: reviewAuthor(c), returnTo: c.req.path, trackRecords: trackRecordsOf(deps.read) ?? {} },
    }),
  );
};
