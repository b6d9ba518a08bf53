import * as z from 'zod';
import { ASSESSMENT_DRAFT_SHAPE, TrajectoryDraftSchema, trajectorySumIssue } from './schema.js';
import { INDICATOR_STATUSES, UPDATE_DRIVERS } from './update.js';

/**
 * The draft a desk writes when it has memory (an earlier view in the same thread): the whole
 * assessment as usual, plus what ties it to the earlier view — which earlier trajectory each one
 * continues, why it moved, the trajectories retired, and the update section. The model names
 * drivers, reasons and evidence; it never writes a previous value or a delta (code computes them
 * from the stored earlier view, see apply-memory.ts).
 *
 * Ids are plain strings here, not patterns: an unknown or malformed id is handled in code (a new
 * trajectory, a dropped indicator, a warning) rather than costing a repair turn.
 */

const text = (description: string) => z.string().trim().min(1).describe(description);
const evidence = (what: string) =>
  z
    .array(z.string())
    .describe(`Ids of the supplied events ${what} (E1 = the news event above, E2… earlier events in this story); empty if none`);

export const MemoryTrajectoryDraftSchema = z.object({
  ...TrajectoryDraftSchema.shape,
  continues: text(
    'The id of the trajectory from your last view that this one continues, e.g. "JP-01:T2"; "new" for a trajectory added now. Each earlier id at most once',
  ),
  driver: z
    .enum(UPDATE_DRIVERS)
    .describe(
      'What moved its probability since your last view: new-evidence, reinterpretation (the same facts read differently), time-passing, or correction (an earlier error); for an unchanged trajectory, what kept it',
    ),
  changeReason: z.string().describe('Why the probability moved, or why it did not; may be empty only when it did not move'),
  evidence: evidence('that moved it'),
});

export const RetiredTrajectorySchema = z.object({
  trajectoryId: text('The id of a trajectory from your last view that you drop now, e.g. "JP-01:T3"'),
  reason: text('Why it is dropped (resolved, merged into another, ruled out…)'),
  evidence: evidence('that led you to drop it'),
});

export const IndicatorStatusUpdateSchema = z.object({
  indicatorId: text('The id of an indicator from your last view, e.g. "JP-01:I2"'),
  status: z.enum(INDICATOR_STATUSES).describe('Its status now: triggered (it happened), trending (moving towards it) or quiet'),
  note: text('What was observed'),
  evidence: evidence('showing it'),
});

export const DeskUpdateDraftSchema = z.object({
  headline: text('One paragraph: what changed in your view since your last view, and why'),
  indicators: z
    .array(IndicatorStatusUpdateSchema)
    .describe('Indicators from your last view whose status changed since then; empty if none did'),
});

export const MemoryAssessmentDraftSchema = z
  .object({
    ...ASSESSMENT_DRAFT_SHAPE,
    trajectories: z
      .array(MemoryTrajectoryDraftSchema)
      .min(2)
      .max(4)
      .describe('Two to four trajectories whose probabilities sum to 1, each tied to your last view'),
    retiredTrajectories: z
      .array(RetiredTrajectorySchema)
      .describe('Trajectories from your last view that you drop, each with its reason; empty if none'),
    update: DeskUpdateDraftSchema,
  })
  .superRefine((draft, ctx) => {
    const issue = trajectorySumIssue(draft.trajectories);
    if (issue) ctx.addIssue(issue);
  });

export type MemoryAssessmentDraft = z.infer<typeof MemoryAssessmentDraftSchema>;
export type MemoryTrajectoryDraft = z.infer<typeof MemoryTrajectoryDraftSchema>;
