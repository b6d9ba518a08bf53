import type { Database } from 'better-sqlite3';

/**
 * Analysts' reviews of archived runs (issue 15 §3): a rating of a desk's assessment (1–5), a flagged
 * problem, or a Markdown note on a run, a desk, a risk or a trajectory; each with author and time.
 * PLACEHOLDER: the table, writes and reads are being built; the interface below is the contract
 * the run page and the reports use.
 */
export const REVIEW_FLAGS = ['unsupported-fact', 'invented-source', 'wrong-stance', 'missed-angle'] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];
export type ReviewKind = 'run' | 'desk' | 'risk' | 'trajectory';

export interface Review {
  id: number;
  runId: string;
  kind: ReviewKind;
  /** Desk id for a desk; the item id (`R2`, `JP-01:T1`) for a risk or trajectory; null for the run. */
  ref: string | null;
  author: string;
  createdAt: string;
  rating: number | null;
  flag: ReviewFlag | null;
  note: string | null;
}

/** Every review of the run, oldest first. */
export function loadRunReviews(_db: Database, _runId: string): Review[] {
  return [];
}
