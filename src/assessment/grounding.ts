import type { Grounding } from './update.js';

/**
 * Grounding: which key facts and risks rest on the events the desk was shown (E1 = the event
 * being assessed, E2… the story's earlier events) and which on the model's background knowledge.
 * The model cites ids; code keeps only ids it actually supplied, so a fact cannot claim support
 * from an event nobody showed it. Pure functions, no I/O.
 */

/** Without a thread the desk is shown the event alone. */
export const EVENT_ONLY_EVIDENCE: readonly string[] = ['E1'];

/**
 * `E1`, ` e2 `, `[E3]`, `E03` → `E1`, `E2`, `E3`, `E3`: the spellings a model plausibly uses for an
 * id it was shown. Anything else is returned trimmed, as written, so the warning shows it.
 */
export function normalizeEvidenceId(raw: string): string {
  const m = /^\[?\s*E\s*0*([1-9][0-9]*)\s*\]?$/i.exec(raw.trim());
  return m ? `E${m[1]}` : raw.trim();
}

/**
 * The supplied ids an item cites, normalised, each once, in the order cited. Every other id is
 * dropped with a warning naming the item, like the synthesizer's invented ids.
 */
export function keepSuppliedEvidence(ids: readonly string[], supplied: ReadonlySet<string>, item: string, warnings: string[]): string[] {
  const kept: string[] = [];
  for (const raw of ids) {
    const id = normalizeEvidenceId(raw);
    if (id === '') continue;
    if (!supplied.has(id)) {
      warnings.push(`dropped evidence id ${JSON.stringify(id)} from ${item}: not among the events supplied (${[...supplied].join(', ')})`);
      continue;
    }
    if (!kept.includes(id)) kept.push(id);
  }
  return kept;
}

/** Counts items citing at least one supplied event vs none; items without `evidence` (archived before grounding) count as neither. */
export function countGrounding(items: readonly { evidence?: readonly string[] }[]): Grounding {
  let supplied = 0;
  let background = 0;
  for (const item of items) {
    if (item.evidence === undefined) continue;
    if (item.evidence.length > 0) supplied += 1;
    else background += 1;
  }
  return { supplied, background };
}

interface Citing {
  evidence: string[];
}

/**
 * Key facts and risks with their evidence checked against the supplied ids, the grounding counts
 * over both, and a warning per dropped id (appended to `warnings`).
 */
export function groundItems<F extends Citing & { feature: string }, R extends Citing & { title: string }>(
  keyFacts: readonly F[],
  risks: readonly R[],
  suppliedIds: readonly string[],
  warnings: string[],
): { keyFacts: F[]; risks: R[]; grounding: Grounding } {
  const supplied = new Set(suppliedIds);
  const facts = keyFacts.map((f) => ({ ...f, evidence: keepSuppliedEvidence(f.evidence, supplied, `key fact "${f.feature}"`, warnings) }));
  const checkedRisks = risks.map((r) => ({ ...r, evidence: keepSuppliedEvidence(r.evidence, supplied, `risk "${r.title}"`, warnings) }));
  return { keyFacts: facts, risks: checkedRisks, grounding: countGrounding([...facts, ...checkedRisks]) };
}
