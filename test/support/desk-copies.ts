import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/**
 * Many desks for load tests (the soak's rate-limit phase, the benchmarks): copies of the shipped
 * JP-01 desk under ids the fake servers recognise as desks.
 */

/** `n` desk ids: XA-01 … XZ-01, then XA-02 …. */
export function copyDeskIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `X${String.fromCharCode(65 + (i % 26))}-${String(1 + Math.floor(i / 26)).padStart(2, '0')}`);
}

/** `n` copies of agents/jp-01.yaml in `dir`, only `id:` changed; returns their ids. */
export function writeDeskCopies(dir: string, n: number): string[] {
  const template = readFileSync(join(ROOT, 'agents', 'jp-01.yaml'), 'utf8');
  if (!/^id: JP-01$/m.test(template)) throw new Error('agents/jp-01.yaml: no `id: JP-01` line to replace');
  mkdirSync(dir, { recursive: true });
  const ids = copyDeskIds(n);
  for (const id of ids) writeFileSync(join(dir, `${id.toLowerCase()}.yaml`), template.replace(/^id: JP-01$/m, `id: ${id}`));
  return ids;
}
