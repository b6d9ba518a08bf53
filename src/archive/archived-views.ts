import * as z from 'zod';
import { StanceSchema } from '../assessment/schema.js';
import { ONE_SHOT_PARSE } from '../validation/one-shot-parse.js';

/**
 * Archived desk assessments and syntheses as thread memory and `threads show` read them: only the
 * fields they use are checked, so an assessment from an older version that has those fields still
 * counts, and one that is corrupt or lacks them is skipped with a reason instead of crashing a run.
 */

export const DeskViewSchema = z.looseObject({
  bottomLine: z.string(),
  stance: z.looseObject({ label: StanceSchema, reason: z.string() }),
  trajectories: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      probability: z.number().min(0).max(1),
      // Issue 14: absent before horizons; a malformed one is dropped, not a reason to skip the view.
      resolveBy: z.string().optional().catch(undefined),
      resolution: z.string().optional().catch(undefined),
    }),
  ),
  indicators: z.array(z.looseObject({ id: z.string(), indicator: z.string() })),
});
export type DeskView = z.output<typeof DeskViewSchema>;

export const DeskStanceSchema = z.looseObject({ stance: z.looseObject({ label: StanceSchema }) });

/** What the since-last step and scenario histories read of a consolidated view. */
export const RiskViewCheckSchema = z.looseObject({
  scenarios: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      pooledProbability: z.number().min(0).max(1),
      perAgent: z.array(z.looseObject({ agentId: z.string(), probability: z.number(), trajectoryIds: z.array(z.string()) })),
      lineageId: z.string().optional(),
    }),
  ),
  riskRegister: z.array(z.looseObject({ id: z.string(), title: z.string() })),
  coverage: z.looseObject({ included: z.array(z.string()) }),
});

export type Archived<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses archived JSON against `schema`; never throws. */
export function readArchived<S extends z.ZodType>(json: string | null, schema: S): Archived<z.output<S>> {
  if (json === null) return { ok: false, reason: 'empty' };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const result = schema.safeParse(raw, ONE_SHOT_PARSE);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, reason: `unexpected shape (${where}${issue?.message ?? 'invalid'})` };
}
