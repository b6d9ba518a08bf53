import * as z from 'zod';
import { criterionIssues, isIsoCalendarDate } from './criterion-date.js';
import type { DeskUpdate, Grounding } from './update.js';

/**
 * The desk assessment. `AssessmentDraftSchema` is what the model writes: it is the validator,
 * the JSON Schema sent to the provider, and (via z.infer) the TypeScript type. The model never
 * writes ids; `assignItemIds` numbers risks, trajectories and indicators afterwards so that the
 * synthesizer and later runs can refer to them stably (e.g. `JP-01:R3`).
 *
 * Every field is required (optional things are empty arrays or empty strings) because OpenAI's
 * strict structured output demands it; constraints such as ranges stay here so Zod enforces them
 * even where a provider only sees them as description text.
 */

export const STANCES = [
  'supportive',
  'cautiously-supportive',
  'neutral',
  'mixed',
  'skeptical',
  'alarmed',
  'opposed',
] as const;
export const StanceSchema = z.enum(STANCES);
export type Stance = z.infer<typeof StanceSchema>;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

const text = (description: string) => z.string().trim().min(1).describe(description);
const probability = (description: string) => z.number().min(0).max(1).describe(description);

/**
 * Which of the events shown to the desk an item rests on. Code assigns the ids (E1 is the event
 * being assessed, E2… the story's earlier events) and drops any the model invents, so any string
 * is accepted here: a made-up id costs a warning, not a repair turn.
 */
const evidence = (what: string) =>
  z
    .array(z.string())
    .describe(
      `Ids of the supplied events ${what} rests on (E1 = the news event above, E2… earlier events in this story); empty if it rests on background knowledge`,
    );

/**
 * A forecast's horizon and resolution criterion (issue 14): the date by which it resolves, and
 * what would have to be true and where one would see it. A criterion without a date, or with
 * "significant" and the like but no number, is rejected with a custom issue so the repair turn
 * shows the model what to fix. (Whether `resolveBy` falls after the event is not checked here:
 * the schema does not know the event.)
 */
const resolveBy = (what: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'resolveBy must be a date written YYYY-MM-DD, e.g. 2029-01-20' })
    .refine(isIsoCalendarDate, { error: 'resolveBy must be a real calendar date, e.g. 2029-01-20' })
    .describe(`The date by which ${what} resolves, YYYY-MM-DD (e.g. "2029-01-20" for "by January 2029")`);

const resolution = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .superRefine((criterion, ctx) => {
      for (const message of criterionIssues(criterion)) ctx.addIssue({ code: 'custom', message });
    })
    .describe(
      `How a person will check later whether ${what}: what would have to be true, by which date, and where one would see it, with numbers rather than words like "significant" (e.g. "JBIC or MOF announce financing approvals totalling at least $100 billion for U.S. projects by 2029-01-20, in JBIC press releases")`,
    );

export const KeyFactSchema = z.object({
  feature: text('Short label for the fact, e.g. "Timing & scope"'),
  detail: text('What is known, stated precisely'),
  sources: z.array(z.string()).describe('Outlets or documents the fact rests on; empty if none named'),
  evidence: evidence('this fact'),
});

export const UpsidePointSchema = z.object({
  title: text('Short heading of the strategic upside'),
  explanation: text('Why this is upside for the desk\'s country, concretely'),
});

export const RiskDraftSchema = z.object({
  axis: text('The axis this risk belongs to, e.g. "Domestic political backlash & oversight"'),
  title: text('Short name of the risk'),
  description: text('How the risk would materialise and what it would cost'),
  severity: SeveritySchema.describe('Impact if it materialises'),
  likelihood: probability('Probability it materialises by resolveBy, 0 to 1'),
  resolveBy: resolveBy('this risk'),
  resolution: resolution('this risk materialised'),
  sources: z.array(z.string()).describe('Sources cited for this risk; empty if none'),
  evidence: evidence('this risk'),
});

export const TrajectoryDraftSchema = z.object({
  name: text('Name of the trajectory, e.g. "Modest, selective success"'),
  probability: probability('Probability of this trajectory, 0 to 1; all trajectories sum to 1'),
  label: text('Qualitative likelihood, e.g. "most likely", "significant risk", "less likely but possible"'),
  keyDynamics: text('What drives this trajectory'),
  implications: text('What follows for the desk\'s country and its partners'),
  resolveBy: resolveBy('this trajectory'),
  resolution: resolution('this trajectory is the one that came true'),
});

export const IndicatorDraftSchema = z.object({
  indicator: text('Observable signal to watch'),
  why: text('What it would tell us and which trajectory it points to'),
});

export const StrategicSignificanceSchema = z.object({
  intro: z.string().describe('One sentence framing the stakes; may be empty'),
  points: z.array(z.string().trim().min(1)).min(1).describe('Strategic significance points, at least one'),
});

/** Trajectory probabilities must form a distribution; 0.02 absorbs rounding in model output. */
export const PROBABILITY_SUM_TOLERANCE = 0.02;

/**
 * The draft's fields, kept as a plain shape so the memory variant (memory-schema.ts) can reuse
 * them: Zod 4 cannot `.extend()` an object that carries a refinement.
 */
export const ASSESSMENT_DRAFT_SHAPE = {
  bottomLine: text('The desk\'s bottom line in two or three sentences'),
  stance: z.object({
    label: StanceSchema.describe('Overall stance towards the development'),
    reason: text('One line: why this stance'),
  }),
  opening: z.string().describe('Opening framing of the reading, one or two sentences; may be empty'),
  keyFacts: z.array(KeyFactSchema).min(1).describe('What we know: mechanics, structure, commitments'),
  upside: z.array(UpsidePointSchema).describe('Strategic rationale and upside points, in order'),
  risks: z.array(RiskDraftSchema).min(1).describe('Risks, each tagged with its axis; keep risks of one axis together'),
  feasibility: z.string().describe('Overall assessment of feasibility before the trajectories; may be empty'),
  trajectories: z
    .array(TrajectoryDraftSchema)
    .min(2)
    .max(4)
    .describe('Two to four trajectories whose probabilities sum to 1'),
  lean: z.string().describe('Which trajectory the desk leans towards and on what assumption; may be empty'),
  caveats: z.array(z.string().trim().min(1)).describe('Caveats to the assessment'),
  strategicSignificance: StrategicSignificanceSchema,
  openQuestions: z.array(z.string().trim().min(1)).describe('Open questions and ambiguities still unresolved'),
  indicators: z.array(IndicatorDraftSchema).min(1).describe('Indicators to watch'),
  confidence: probability('Overall confidence in this assessment, 0 to 1'),
};

/** The issue to report when trajectory probabilities do not form a distribution; null when they do. */
export function trajectorySumIssue(trajectories: readonly { probability: number }[]): { code: 'custom'; path: string[]; message: string } | null {
  const sum = trajectories.reduce((acc, t) => acc + t.probability, 0);
  if (Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE) return null;
  return {
    code: 'custom',
    path: ['trajectories'],
    message: `trajectory probabilities must sum to 1 ± ${PROBABILITY_SUM_TOLERANCE}; they sum to ${sum.toFixed(3)}`,
  };
}

export const AssessmentDraftSchema = z.object(ASSESSMENT_DRAFT_SHAPE).superRefine((draft, ctx) => {
  const issue = trajectorySumIssue(draft.trajectories);
  if (issue) ctx.addIssue(issue);
});

export type AssessmentDraft = z.infer<typeof AssessmentDraftSchema>;
export type KeyFactDraft = z.infer<typeof KeyFactSchema>;
export type RiskDraft = z.infer<typeof RiskDraftSchema>;
export type TrajectoryDraft = z.infer<typeof TrajectoryDraftSchema>;
export type IndicatorDraft = z.infer<typeof IndicatorDraftSchema>;

/** Item ids are `<agentId>:<kind><n>`, n counting from 1 in the order the desk wrote them. */
export const ITEM_ID_PATTERN = /^[A-Z0-9][A-Z0-9-]*:(R|T|I)[1-9][0-9]*$/;
const itemId = z.string().regex(ITEM_ID_PATTERN);

export const RiskSchema = RiskDraftSchema.extend({ id: itemId });
export const TrajectorySchema = TrajectoryDraftSchema.extend({ id: itemId });
export const IndicatorSchema = IndicatorDraftSchema.extend({ id: itemId });

/**
 * Key facts and risks as stored. `evidence` holds only ids that were supplied (code drops the
 * rest); it is absent on assessments archived before grounding, which reports show without a
 * grounding mark rather than as background knowledge.
 */
export type KeyFact = Omit<KeyFactDraft, 'evidence'> & { evidence?: string[] };
/**
 * `resolveBy` and `resolution` (issue 14) are absent on assessments archived before forecasts
 * could be resolved; reports show such items without a horizon.
 */
type Resolvable = { resolveBy?: string; resolution?: string };
export type Risk = Omit<z.infer<typeof RiskSchema>, 'evidence' | 'resolveBy' | 'resolution'> & { evidence?: string[] } & Resolvable;
export type Trajectory = Omit<z.infer<typeof TrajectorySchema>, 'resolveBy' | 'resolution'> & Resolvable;
export type Indicator = z.infer<typeof IndicatorSchema>;

/** A validated desk assessment with ids and provenance, as the pipeline, archive and reports use it. */
export type AgentAssessment = Omit<AssessmentDraft, 'keyFacts' | 'risks' | 'trajectories' | 'indicators'> & {
  agentId: string;
  agentName: string;
  signOff: string;
  keyFacts: KeyFact[];
  risks: Risk[];
  trajectories: Trajectory[];
  indicators: Indicator[];
  provenance: AssessmentProvenance;
  /** Present when the desk had memory: what changed since its last view in the thread. */
  update?: DeskUpdate;
  /** Key facts and risks resting on supplied events vs background knowledge (absent before threads). */
  grounding?: Grounding;
  /** What code dropped or flagged in this desk's output (invented evidence ids, renumbering). */
  warnings?: string[];
};

export interface AssessmentProvenance {
  eventId: string;
  provider: string;
  model: string;
  promptHash: string;
  attempts: number;
}
