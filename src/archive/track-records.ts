import type { Database } from 'better-sqlite3';
import { loadTrackRecords } from './forecast-scores.js';
import type { TrackRecords } from '../report/markdown.js';

/**
 * The desks' track records on the archive's resolved questions, for the Markdown run report (single
 * `assess run` and batches). None without an archive or when it cannot be read: a track record is
 * a courtesy line in the report, never a reason for a finished run to fail. Callers read it only
 * when a Markdown report is written, since it parses every forecast on a resolved question.
 */
export function trackRecordsOf(db: Database | null | undefined): TrackRecords | undefined {
  if (!db) return undefined;
  try {
    return loadTrackRecords(db);
  } catch {
    return undefined;
  }
}
