/**
 * The archive could not be used (read-only path, disk full, locked beyond the busy timeout).
 * Distinct from InputError (the file is not an assess database, or is from a newer version):
 * a run still prints its report and then exits with the archive exit code.
 */
export class ArchiveUnavailableError extends Error {
  override readonly name = 'ArchiveUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
