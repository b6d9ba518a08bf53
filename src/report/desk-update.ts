import type { DeskUpdate, Grounding, TrajectoryChange, UpdateDriver } from '../assessment/update.js';
import { percent } from './format.js';

/**
 * Wording shared by the Markdown and HTML reports for grounding and a desk's update. Every number
 * here was computed upstream (apply-memory.ts, grounding.ts); this file only words it.
 */

/** How an item reads when it cites no supplied event. */
export const BACKGROUND = 'background (unverified)';

/**
 * `[E1, E2]` for an item resting on supplied events, "background (unverified)" for one that cites
 * none, and null for an item archived before grounding (nothing is known either way).
 */
export function evidenceMark(evidence: readonly string[] | undefined): string | null {
  if (evidence === undefined) return null;
  return evidence.length > 0 ? `[${evidence.join(', ')}]` : BACKGROUND;
}

/** " [E1, E2]" after a reason, or nothing when no event is cited. */
export function citation(evidence: readonly string[]): string {
  return evidence.length > 0 ? ` [${evidence.join(', ')}]` : '';
}

/** "4 of 18 key facts and risks rest on the events supplied; 14 on background knowledge (unverified)". */
export function groundingText(g: Grounding): string {
  return `${g.supplied} of ${g.supplied + g.background} key facts and risks rest on the events supplied; ${g.background} on background knowledge (unverified)`;
}

const DRIVER_WORDS: Record<UpdateDriver, string> = {
  'new-evidence': 'new evidence',
  reinterpretation: 'reinterpretation',
  'time-passing': 'time passing',
  correction: 'correction',
};

export const driverText = (driver: UpdateDriver): string => DRIVER_WORDS[driver] ?? driver;

/** 0.15 → "+15 pts", -0.1 → "-10 pts", 0.125 → "+12.5 pts". */
export function pointsText(delta: number): string {
  const points = Math.round(delta * 1000) / 10;
  const text = Number.isInteger(points) ? points.toFixed(0) : points.toFixed(1);
  return `${points > 0 ? '+' : ''}${text} pts`;
}

/** The run an earlier view came from, as reports name runs: its first 8 characters. */
export const shortRunId = (runId: string): string => runId.slice(0, 8);

/** "What changed since 2025-09-26 (run 1a2b3c4d)". */
export function updateHeading(u: Pick<DeskUpdate, 'previousAt' | 'previousRunId' | 'previousEvent'>): string {
  // The earlier event's date, not when it was assessed: a replay or a late run would show today.
  const date = (u.previousEvent?.at ?? u.previousAt).slice(0, 10);
  const about = u.previousEvent ? ` "${u.previousEvent.title}"` : '';
  return `What changed since our view of ${date}${about} (run ${shortRunId(u.previousRunId)})`;
}

/**
 * The movement part of one change, after its name: "30% → 45% (+15 pts)", "30% — no change",
 * "new at 20%", "retired (was 15%)".
 */
export function movementText(c: TrajectoryChange): string {
  switch (c.status) {
    case 'added':
      return `new at ${percent(c.current ?? 0)}`;
    case 'retired':
      return `retired (was ${percent(c.previous ?? 0)})`;
    case 'unchanged':
      return `${percent(c.current ?? 0)} — no change`;
    case 'changed':
      return `${percent(c.previous ?? 0)} → ${percent(c.current ?? 0)} (${pointsText(c.delta ?? 0)})`;
  }
}

/**
 * "new evidence: the first loan was signed [E1]", the bare reason for a retirement (it has no
 * driver), or nothing when the desk gave neither reason nor citation (a driver alone says little).
 */
export function reasonText(c: TrajectoryChange): string {
  const reason = `${c.reason}${citation(c.evidence)}`.trim();
  if (!reason) return '';
  return c.driver ? `${driverText(c.driver)}: ${reason}` : reason;
}
