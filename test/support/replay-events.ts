import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPLAY_DIR } from './paths.js';

/**
 * A replay root (pass it as --replay-dir) answering each of `eventIds` with the seed recordings:
 * the replay provider looks recordings up by event id, so tests that run events other than the
 * seed (batches, web pages) get one recorded folder per event id. `drop` removes recordings
 * (`desk-CN-01`, `synthesis`) for an event id: that desk, or the synthesis, then fails.
 */
export function replayRootFor(parent: string, eventIds: string[], drop: Record<string, string[]> = {}): string {
  const root = mkdtempSync(join(parent, 'replay-'));
  for (const [i, id] of eventIds.entries()) {
    const folder = join(root, `event-${i + 1}`);
    mkdirSync(folder);
    cpSync(REPLAY_DIR, folder, { recursive: true });
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ eventId: id, eventFile: 'test' }));
    for (const name of drop[id] ?? []) rmSync(join(folder, `${name}.json`));
  }
  return root;
}
