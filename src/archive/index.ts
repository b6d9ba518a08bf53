export { openArchive, createArchiveAtVersion, APPLICATION_ID } from './open-archive.js';
export { ArchiveUnavailableError } from './errors.js';
export { defaultDbPath } from './db-path.js';
export { MIGRATIONS, LATEST_VERSION, type Migration } from './migrations.js';
export { ArchiveRecorder, type ArchivedDesk, type RunHeader } from './recorder.js';
export { loadRun, loadCalls, type ArchivedRun, type ArchivedCall } from './load-run.js';
export { listRuns, type RunSummary } from './list-runs.js';
export { searchArchive, type SearchHit } from './search.js';
export { parseFilters, filterSql, STATUSES, type RunFilters, type RawFilters } from './filters.js';
export { resolveRunId } from './resolve-run-id.js';
export { toIndexText, toMatchExpression, makeSnippet, queryTerms } from './search-text.js';
export { displayStatus, isProcessAlive } from './liveness.js';
export { resolveThreadId, type ResolvedThread } from './resolve-thread-id.js';
export {
  assignThread,
  mergeThreads,
  moveEvent,
  resolveThreadEventId,
  type ThreadOverride,
  type AssignOptions,
  type MergeResult,
  type MoveResult,
} from './thread-store.js';
export { loadThreadContext } from './thread-context.js';
export { prepareThread, type PreparedThread } from './prepare-thread.js';
export { listThreads, type ThreadSummary, type ListThreadsOptions } from './list-threads.js';
export { loadThreadView, type ThreadView, type ThreadEventView, type StanceEntry, type ScenarioHistory } from './thread-view.js';
export { defaultLinker, type Linker, type LinkerVerdict } from './thread-linker.js';
