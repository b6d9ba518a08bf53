import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/paths.js';
import { runCliCaptured } from './support/cli-io.js';

/**
 * `assess run` reads the event, the desk files and the prompt templates at once. Which error is
 * reported when several inputs are broken must not depend on which read finished first.
 */
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assess-plan-order-'));
  cpSync(join(ROOT, 'agents'), join(dir, 'agents'), { recursive: true });
  cpSync(join(ROOT, 'prompts'), join(dir, 'prompts'), { recursive: true });
  writeFileSync(join(dir, 'agents', 'aa-broken.yaml'), 'id: AA-01\nname: [unclosed\n');
  writeFileSync(join(dir, 'agents', 'zz-broken.yaml'), 'id: ZZ-01\n');
  writeFileSync(join(dir, 'prompts', 'desk.brief.md'), '{{nonsense}}\n');
  writeFileSync(join(dir, 'event.json'), '{"title": "A story",}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runCliCaptured(['run', ...args, '--provider', 'replay', '--no-archive', '--agents-dir', join(dir, 'agents'), '--prompts-dir', join(dir, 'prompts')], { cwd: dir });

describe('several broken inputs: the same one is reported every time', () => {
  it('the event before the desks and prompts', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await run(['event.json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^assess: event\.json: malformed JSON at line 1, column 21/);
    }
  });

  it('then the first broken desk file by name, before the prompts', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await run(['--title', 'A story', '--text', 'Body.']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/aa-broken\.yaml: malformed YAML/);
    }
  });
});
