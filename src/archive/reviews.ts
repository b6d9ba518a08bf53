import type { Database } from 'better-sqlite3';
import { InputError } from '../errors/index.js';
import { loadRun } from './load-run.js';

/**
 * Analysts' reviews of archived runs (issue 15 §3): a rating of a desk's assessment (1–5), a flagged
 * problem, or a Markdown note on a run, a desk, a risk or a trajectory; each with author and time.
 * Stored in `reviews` (migration 10), insert-only: a newer rating by the same author of the same desk
 * supersedes the older one as the *current* rating (currentRatings), and every row stays for exports.
 *
 * What `ref` names, by kind (checked against the run before anything is written):
 * - `run`: nothing (null);
 * - `desk`: a desk of the run (`JP-01`); only a desk that produced an assessment can be rated;
 * - `risk`: a merged risk of the run's consolidated view (`RR1`) or a desk's risk (`JP-01:R2`);
 * - `trajectory`: a pooled scenario of the consolidated view (`S1`, the run's own scenario id, not
 *   the thread lineage id) or a desk's trajectory (`JP-01:T1`).
 */
export const REVIEW_FLAGS = ['unsupported-fact', 'invented-source', 'wrong-stance', 'missed-angle'] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];
export const REVIEW_KINDS = ['run', 'desk', 'risk', 'trajectory'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

/** How each flag reads in reports and pages. */
export const FLAG_LABELS: Readonly<Record<ReviewFlag, string>> = {
  'unsupported-fact': 'Unsupported fact',
  'invented-source': 'Invented source',
  'wrong-stance': 'Wrong stance',
  'missed-angle': 'Missed angle',
};

export const MAX_NOTE_CHARS = 10_000;
export const MAX_AUTHOR_CHARS = 80;

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

/** What a caller (the web form, a test) asks to record; strings as typed, checked here. */
export interface ReviewInput {
  runId: string;
  kind: string;
  ref?: string | null;
  author: string;
  rating?: number | null;
  flag?: string | null;
  note?: string | null;
  /** When it is recorded (defaults to now). */
  now?: Date;
}

interface ReviewRow {
  id: number;
  run_id: string;
  kind: ReviewKind;
  ref: string | null;
  author: string;
  created_at: string;
  rating: number | null;
  flag: ReviewFlag | null;
  note: string | null;
}

const isKind = (k: string): k is ReviewKind => (REVIEW_KINDS as readonly string[]).includes(k);
const isFlag = (f: string): f is ReviewFlag => (REVIEW_FLAGS as readonly string[]).includes(f);
/** Blank form fields mean "not given". */
const given = (v: string | null | undefined): string | null => (v === undefined || v === null || v.trim() === '' ? null : v);

/** The ids a risk or trajectory review may name in this run (see the header comment). */
function runTargets(db: Database, runId: string): { desks: Set<string>; assessed: Set<string>; risk: Set<string>; trajectory: Set<string> } {
  const { result } = loadRun(db, runId);
  const risk = new Set<string>(result.synthesis?.riskRegister.map((r) => r.id) ?? []);
  const trajectory = new Set<string>(result.synthesis?.scenarios.map((s) => s.id) ?? []);
  for (const a of result.assessments) {
    for (const r of a.risks) risk.add(r.id);
    for (const t of a.trajectories) trajectory.add(t.id);
  }
  return {
    desks: new Set(result.desks.map((d) => d.agentId)),
    assessed: new Set(result.assessments.map((a) => a.agentId)),
    risk,
    trajectory,
  };
}

/** Checks everything, then writes one row; every refusal is an InputError of one line, before any write. */
export function addReview(db: Database, input: ReviewInput): Review {
  const runId = input.runId.trim();
  if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw new InputError(`unknown run ${oneLine(input.runId)}`);

  const kind = input.kind.trim();
  if (!isKind(kind)) throw new InputError(`unknown review kind ${oneLine(input.kind)}: expected one of ${REVIEW_KINDS.join(', ')}`);

  const author = input.author.trim();
  const authorLength = [...author].length;
  if (authorLength < 1 || authorLength > MAX_AUTHOR_CHARS) {
    throw new InputError(`author must be 1 to ${MAX_AUTHOR_CHARS} characters (got ${authorLength})`);
  }
  // The author is printed on one line in every report: no line breaks or other control characters.
  if (/\p{Cc}/u.test(author)) throw new InputError('author must not contain line breaks or control characters');

  const rating = input.rating ?? null;
  if (rating !== null && !(Number.isInteger(rating) && rating >= 1 && rating <= 5)) {
    throw new InputError(`rating must be a whole number from 1 to 5 (got ${oneLine(String(rating))})`);
  }
  if (rating !== null && kind !== 'desk') throw new InputError(`only a desk's assessment can be rated; a ${kind} takes a flag or a note`);

  const flagText = given(input.flag);
  const flag = flagText === null ? null : flagText.trim();
  if (flag !== null && !isFlag(flag)) throw new InputError(`unknown flag ${oneLine(flagText ?? '')}: expected one of ${REVIEW_FLAGS.join(', ')}`);

  const note = given(input.note);
  if (note !== null && note.length > MAX_NOTE_CHARS) {
    throw new InputError(`note is ${note.length} characters; at most ${MAX_NOTE_CHARS} are kept`);
  }
  if (rating === null && flag === null && note === null) throw new InputError('a review needs a rating, a flag or a note');

  const refText = given(input.ref);
  const ref = refText === null ? null : kind === 'desk' ? refText.trim().toUpperCase() : refText.trim();
  if (kind === 'run') {
    if (ref !== null) throw new InputError(`a review of the run names no target (got ${oneLine(ref)})`);
  } else {
    if (ref === null) throw new InputError(`a ${kind} review names its ${kind === 'desk' ? 'desk (JP-01)' : 'item id'}`);
    const targets = runTargets(db, runId);
    const short = runId.slice(0, 8);
    if (kind === 'desk') {
      if (!targets.desks.has(ref)) throw new InputError(`run ${short} has no desk ${oneLine(ref)}; its desks: ${[...targets.desks].join(', ')}`);
      if (rating !== null && !targets.assessed.has(ref)) {
        throw new InputError(`desk ${ref} has no assessment in run ${short} to rate; flag it or write a note instead`);
      }
    } else if (!targets[kind].has(ref)) {
      const example = kind === 'risk' ? 'a merged risk (RR1) or a desk risk (JP-01:R1)' : 'a scenario (S1) or a desk trajectory (JP-01:T1)';
      throw new InputError(`run ${short} has no ${kind} ${oneLine(ref)}: expected ${example} of this run`);
    }
  }

  const createdAt = (input.now ?? new Date()).toISOString();
  const { lastInsertRowid } = db
    .prepare('INSERT INTO reviews (run_id, kind, ref, author, created_at, rating, flag, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(runId, kind, ref, author, createdAt, rating, flag, note);
  return { id: Number(lastInsertRowid), runId, kind, ref, author, createdAt, rating, flag, note };
}

/** Every review of the run, oldest first. */
export function loadRunReviews(db: Database, runId: string): Review[] {
  // An archive opened read-only before migration 10 ran has no table yet: no reviews, not an error.
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reviews'").get();
  if (!table) return [];
  const rows = db
    .prepare('SELECT id, run_id, kind, ref, author, created_at, rating, flag, note FROM reviews WHERE run_id = ? ORDER BY id')
    .all(runId) as ReviewRow[];
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    kind: r.kind,
    ref: r.ref,
    author: r.author,
    createdAt: r.created_at,
    rating: r.rating,
    flag: r.flag,
    note: r.note,
  }));
}

/** The reviews of one target (the run when kind is 'run'), oldest first. */
export function reviewsOf(reviews: readonly Review[], kind: ReviewKind, ref: string | null): Review[] {
  return reviews.filter((r) => r.kind === kind && r.ref === ref);
}

/**
 * The ratings in force: each author's latest rating of each desk (a newer one supersedes an older
 * one; both stay in the archive and in exports). Oldest first.
 */
export function currentRatings(reviews: readonly Review[]): Review[] {
  const latest = new Map<string, Review>();
  for (const r of reviews) if (r.kind === 'desk' && r.rating !== null) latest.set(`${r.ref}\u0000${r.author}`, r);
  return [...latest.values()].sort((a, b) => a.id - b.id);
}

/** Whether this rating was superseded by a newer one of the same desk by the same author. */
export function isSupersededRating(review: Review, all: readonly Review[]): boolean {
  return review.rating !== null && all.some((r) => r.id > review.id && r.kind === 'desk' && r.ref === review.ref && r.author === review.author && r.rating !== null);
}

/** Text from the user, quoted for a one-line error message and cut to a readable length. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 60 ? `${flat.slice(0, 60)}…` : flat);
}
