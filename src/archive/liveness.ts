import { hostname } from 'node:os';

/**
 * A run stored as `running` is really running only while its process lives. Checked on this
 * host by pid; a run started on another host cannot be checked and counts as incomplete.
 */
export function isProcessAlive(pid: number | null, host: string | null): boolean {
  if (pid === null || host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function displayStatus(stored: string, pid: number | null, host: string | null): string {
  return stored === 'running' && !isProcessAlive(pid, host) ? 'incomplete' : stored;
}
