import type { SinceLast } from '../synthesis/schema.js';

/**
 * Wording shared by the Markdown and HTML "since the last consolidated view" sections, so the two
 * reports say the same thing in the same words. Formatting only: every number was computed in
 * src/synthesis/since-last.ts.
 */

export type SinceLastScenario = SinceLast['scenarios'][number];

/** "(2025-03-01, run 1a2b3c4d)": the date of the earlier view and the start of its run id. */
export function sinceLastWhen(s: SinceLast): { date: string; run: string; about: string | null } {
  // The earlier event's own date reads better than when it happened to be assessed (a replay or a
  // late run would otherwise show today); the assessment time is the fallback for older views.
  return { date: (s.previousEvent?.at ?? s.previousAt).slice(0, 10), run: s.previousRunId.slice(0, 8), about: s.previousEvent?.title ?? null };
}

/** A probability delta in percentage points: 0.1 → "+10 pts", −0.05 → "-5 pts", 0.125 → "+12.5 pts", 0 → "no change". */
export function pointsChange(delta: number): string {
  const v = Math.round(Math.abs(delta) * 1000) / 10;
  if (v === 0) return 'no change';
  const n = Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1);
  return `${delta > 0 ? '+' : '-'}${n} ${v === 1 ? 'pt' : 'pts'}`;
}

/** The earlier name when the matched scenario was renamed (whitespace differences are not a rename). */
export function formerName(s: SinceLastScenario): string | null {
  if (!s.matchedTo) return null;
  const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
  return squash(s.matchedTo.name) === squash(s.name) ? null : s.matchedTo.name;
}

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * The section's one-line digest: "2 scenarios moved, 1 new, 1 retired · 1 desk changed stance ·
 * 1 new merged risk, 1 retired · 1 indicator triggered". Parts with nothing to report are left
 * out, except the scenarios, whose "none moved" is itself the news.
 */
export function sinceLastDigest(s: SinceLast): string {
  const moved = s.scenarios.filter((x) => x.delta !== null && pointsChange(x.delta) !== 'no change').length;
  const added = s.scenarios.filter((x) => x.previous === null).length;
  const scenarioParts = [
    moved > 0 ? `${count(moved, 'scenario', 'scenarios')} moved` : 'no scenario moved',
    added > 0 ? `${added} new` : '',
    s.retiredScenarios.length > 0 ? `${s.retiredScenarios.length} retired` : '',
  ].filter(Boolean);
  const [fresh, gone] = [s.newRisks.length, s.retiredRisks.length];
  const risks =
    fresh > 0
      ? `${count(fresh, 'new merged risk', 'new merged risks')}${gone > 0 ? `, ${gone} retired` : ''}`
      : gone > 0
        ? `${count(gone, 'merged risk', 'merged risks')} retired`
        : '';
  const digest = [
    scenarioParts.join(', '),
    s.stanceChanges.length > 0 ? `${count(s.stanceChanges.length, 'desk', 'desks')} changed stance` : '',
    risks,
    s.triggeredIndicators.length > 0 ? `${count(s.triggeredIndicators.length, 'indicator', 'indicators')} triggered` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return digest.charAt(0).toUpperCase() + digest.slice(1);
}

/** What the empty parts say: absence is a finding in a briefing, not a blank. */
export const SINCE_LAST_NONE = {
  scenarios: 'Neither view has scenarios.',
  stances: 'No desk changed its stance.',
  risks: 'No merged risk is new or retired.',
  indicators: 'No desk reports a triggered indicator.',
} as const;
