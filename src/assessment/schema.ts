import * as z from 'zod';

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

export const KeyFactSchema = z.object({
  feature: text('Short label for the fact, e.g. "Timing & scope"'),
  detail: text('What is known, stated precisely'),
  sources: z.array(z.string()).describe('Outlets or documents the fact rests on; empty if none named'),
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
  likelihood: probability('Probability it materialises within the assessment horizon, 0 to 1'),
  sources: z.array(z.string()).describe('Sources cited for this risk; empty if none'),
});

export const TrajectoryDraftSchema = z.object({
  name: text('Name of the trajectory, e.g. "Modest, selective success"'),
  probability: probability('Probability of this trajectory, 0 to 1; all trajectories sum to 1'),
  label: text('Qualitative likelihood, e.g. "most likely", "significant risk", "less likely but possible"'),
  keyDynamics: text('What drives this trajectory'),
  implications: text('What follows for the desk\'s country and its partners'),
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

export const AssessmentDraftSchema = z
  .object({
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
  })
  .superRefine((draft, ctx) => {
    const sum = draft.trajectories.reduce((acc, t) => acc + t.probability, 0);
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      ctx.addIssue({
        code: 'custom',
        path: ['trajectories'],
        message: `trajectory probabilities must sum to 1 ± ${PROBABILITY_SUM_TOLERANCE}; they sum to ${sum.toFixed(3)}`,
      });
    }
  });

export type AssessmentDraft = z.infer<typeof AssessmentDraftSchema>;
export type RiskDraft = z.infer<typeof RiskDraftSchema>;
export type TrajectoryDraft = z.infer<typeof TrajectoryDraftSchema>;
export type IndicatorDraft = z.infer<typeof IndicatorDraftSchema>;

/** Item ids are `<agentId>:<kind><n>`, n counting from 1 in the order the desk wrote them. */
export const ITEM_ID_PATTERN = /^[A-Z0-9][A-Z0-9-]*:(R|T|I)[1-9][0-9]*$/;
const itemId = z.string().regex(ITEM_ID_PATTERN);

export const RiskSchema = RiskDraftSchema.extend({ id: itemId });
export const TrajectorySchema = TrajectoryDraftSchema.extend({ id: itemId });
export const IndicatorSchema = IndicatorDraftSchema.extend({ id: itemId });

export type Risk = z.infer<typeof RiskSchema>;
export type Trajectory = z.infer<typeof TrajectorySchema>;
export type Indicator = z.infer<typeof IndicatorSchema>;

/** A validated desk assessment with ids and provenance, as the pipeline, archive and reports use it. */
export type AgentAssessment = Omit<AssessmentDraft, 'risks' | 'trajectories' | 'indicators'> & {
  agentId: string;
  agentName: string;
  signOff: string;
  risks: Risk[];
  trajectories: Trajectory[];
  indicators: Indicator[];
  provenance: AssessmentProvenance;
};

export interface AssessmentProvenance {
  eventId: string;
  provider: string;
  model: string;
  promptHash: string;
  attempts: number;
}
