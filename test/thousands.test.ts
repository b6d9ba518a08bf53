import { describe, expect, it } from 'vitest';
import { thousands } from '../src/format/thousands.js';

describe('thousands', () => {
  it('groups whole numbers exactly as en-US locale formatting does', () => {
    const values = [0, 7, 42, 999, 1000, 1001, 12_345, 99_999, 100_000, 1_234_567, 2_000_000, 987_654_321, 10 ** 12, -1, -1234, -1_000_000];
    for (let n = 1; n < 10 ** 9; n = Math.floor(n * 7.3) + 1) values.push(n);
    for (const n of values) expect(thousands(n), String(n)).toBe(n.toLocaleString('en-US'));
  });

  it('keeps a fraction as it is and leaves what is not a finite number alone', () => {
    expect(thousands(1234.5)).toBe('1,234.5');
    expect(thousands(Number.NaN)).toBe('NaN');
    expect(thousands(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});

describe('no ICU number formatting in src', () => {
  it('uses thousands() instead of toLocaleString, which costs a run ~20 ms the first time', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const root = join(import.meta.dirname, '..', 'src');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const f of files) if (/\.toLocaleString\(/.test(await readFile(join(root, f), 'utf8'))) offenders.push(f);
    expect(offenders).toEqual([]);
  });
});
