import { currentRatings, FLAG_LABELS, isSupersededRating, type Review, type ReviewKind } from '../archive/reviews.js';
import type { RunResult } from '../pipeline/run-event.js';

/**
 * Analysts' reviews in the Markdown report (`runs show`, `runs export --format md`): one section
 * after the consolidated view, grouped by what was reviewed (the run, each desk, each risk or
 * trajectory), every review kept (superseded ratings are marked, not dropped).
 */

/** One reviewed target and its reviews, oldest first. */
export interface ReviewGroup {
  kind: ReviewKind;
  ref: string | null;
  /** "Desk JP-01 — Japan Desk", "Risk RR1 — …", "The run". */
  label: string;
  reviews: Review[];
}

const KIND_ORDER: Record<ReviewKind, number> = { run: 0, desk: 1, risk: 2, trajectory: 3 };

/** What a review is about, in words, from the run's own titles (the id alone when it is gone). */
export function reviewTargetLabel(run: RunResult, kind: ReviewKind, ref: string | null): string {
  if (kind === 'run' || ref === null) return 'The run';
  if (kind === 'desk') {
    const name = run.assessments.find((a) => a.agentId === ref)?.agentName;
    return name ? `Desk ${ref} — ${name}` : `Desk ${ref}`;
  }
  const desk = run.assessments.find((a) => ref.startsWith(`${a.agentId}:`));
  if (kind === 'risk') {
    const title = run.synthesis?.riskRegister.find((r) => r.id === ref)?.title ?? desk?.risks.find((r) => r.id === ref)?.title;
    return title ? `Risk ${ref} — ${title}` : `Risk ${ref}`;
  }
  const name = run.synthesis?.scenarios.find((s) => s.id === ref)?.name ?? desk?.trajectories.find((t) => t.id === ref)?.name;
  return name ? `Trajectory ${ref} — ${name}` : `Trajectory ${ref}`;
}

/** Reviews grouped by target: the run first, then desks in the run's order, then risks and trajectories as first reviewed. */
export function groupReviews(run: RunResult, reviews: readonly Review[]): ReviewGroup[] {
  const groups = new Map<string, ReviewGroup>();
  for (const r of reviews) {
    const key = `${r.kind}\u0000${r.ref ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { kind: r.kind, ref: r.ref, label: reviewTargetLabel(run, r.kind, r.ref), reviews: [] };
      groups.set(key, group);
    }
    group.reviews.push(r);
  }
  const deskOrder = run.desks.map((d) => d.agentId);
  const rank = (g: ReviewGroup): number => (g.kind === 'desk' && g.ref !== null && deskOrder.includes(g.ref) ? deskOrder.indexOf(g.ref) : 0);
  // Array.prototype.sort is stable: same kind and rank keep first-reviewed order.
  return [...groups.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || rank(a) - rank(b));
}

/** "2027-01-02 03:04 UTC" from an ISO time. */
export function reviewTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}

/** "4/5 (Aiko) · 3/5 (Ben)": each author's latest rating of this desk. */
export function currentRatingText(reviews: readonly Review[]): string {
  return currentRatings(reviews)
    .map((r) => `${r.rating}/5 (${r.author})`)
    .join(' · ');
}

export function renderReviewsMarkdown(run: RunResult, reviews: readonly Review[]): string {
  if (reviews.length === 0) return '';
  const out: string[] = ['## Reviews', ''];
  for (const group of groupReviews(run, reviews)) {
    out.push(`### ${group.label}`, '');
    const current = currentRatingText(group.reviews);
    if (current) out.push(`_Current rating: ${current}_`, '');
    for (const r of group.reviews) {
      const parts = [`**${r.author}**`, reviewTime(r.createdAt)];
      if (r.rating !== null) parts.push(`rated ${r.rating}/5${isSupersededRating(r, group.reviews) ? ' (superseded)' : ''}`);
      if (r.flag !== null) parts.push(`⚑ ${FLAG_LABELS[r.flag] ?? r.flag}`);
      out.push(`- ${parts.join(' · ')}`);
      // The note is the analyst's own Markdown, quoted under the item so its headings or lists
      // cannot break the report's structure.
      if (r.note !== null) out.push('', ...r.note.split(/\r?\n/).map((l) => (l.trim() ? `  > ${l}` : '  >')));
      out.push('');
    }
  }
  return out.join('\n');
}
