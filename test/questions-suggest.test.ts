/**
 * `assess questions suggest` (issue 14 §4) through the built CLI, on an archive made from the two
 * events of `npm run demo:thread`, with the replay provider: the follow-up event is the "newer
 * event" every question first forecast on the seed event is checked against. Nothing is resolved
 * unless a person confirms. Run `npm run build` after changing src/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionDetail } from '../src/archive/forecasts.js';
import type { SuggestionsReport } from '../src/cli/suggestion-report.js';
import { CLI } from './bench/spawn-cli.js';
import { runCliCaptured } from './support/cli-io.js';
import { assess, buildForecastArchive, tableRows } from './support/forecast-archive.js';
import { ROOT } from './support/paths.js';

/** The CLI with stdin, and an environment without any provider key. */
function assessWith(args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ASSESS_DB: '' };
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', input, env, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('assess questions suggest', () => {
  let dir: string;
  let db: string;
  let thread: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'assess-suggest-'));
    db = join(dir, 'assess.db');
    thread = buildForecastArchive(db).threadId;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checks every unresolved question against the newer event, writes nothing, and shows the checks at work', () => {
    const before = tableRows(db, 'resolutions');
    const r = assess(['questions', 'suggest', '--provider', 'replay', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    // 18 questions: R17 was first forecast on the follow-up itself, so nothing newer exists for it.
    const rows = r.stdout.split('\n').filter((l) => l.startsWith(`| ${thread}:`));
    expect(rows).toHaveLength(17);
    expect(r.stdout).toContain(`- ${thread}:R17: no event in its thread after 2025-10-28`);
    expect(r.stdout).toMatch(new RegExp(`\\| ${thread}:R10 \\| unclear \\| 0\\.75 \\| Opposition lawmakers`));
    // The model said "no" for a risk due in 2028: only the date passing can show that.
    expect(r.stdout).toContain(`| ${thread}:R3 | not-yet (model said resolved) | 0.55 |`);
    expect(r.stdout).toContain('- Check: "no" can only be known once 2028-12-31 has passed');
    expect(r.stdout).toContain('- Evidence E1 (2025-10-28, Japan and U.S. Name First Projects for the $550B Investment Facility): "Opposition lawmakers in the Diet asked');
    expect(r.stdout).not.toContain('To confirm');
    expect(r.stderr).toContain('17 question(s) checked with replay/replay: 0 proposed for resolution, 0 failed, 1 not checked; 17 call(s)');
    expect(tableRows(db, 'resolutions')).toEqual(before);
  });

  it('JSON carries every checked question with its evidence, and the selection flags narrow it', () => {
    const r = assess(['questions', 'suggest', `${thread}:R10`, `${thread}:Q`, '--provider', 'replay', '--format', 'json', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as SuggestionsReport;
    expect(report.model).toBe('replay/replay');
    expect(report.checked.map((c) => c.questionId)).toEqual([`${thread}:R10`, `${thread}:Q`]);
    const r10 = report.checked[0]!;
    expect(r10.events.map((e) => [e.ref, e.at.slice(0, 10)])).toEqual([['E1', '2025-10-28']]);
    expect(r10.suggestion).toMatchObject({ verdict: 'unclear', outcome: null, confidence: 0.75 });
    expect(r10.suggestion!.evidence).toEqual([
      { event: 'E1', quote: 'Opposition lawmakers in the Diet asked how profits and losses would be shared between Japanese taxpayers and the U.S. side', found: true },
    ]);
    expect(report.calls).toBe(2);
    expect(report.inputTokens).toBe(1900 + 2600);

    const limited = JSON.parse(assess(['questions', 'suggest', '--limit', '3', '--provider', 'replay', '--format', 'json', '--db', db]).stdout) as SuggestionsReport;
    expect(limited.checked).toHaveLength(3);
    expect(limited.skipped.filter((s) => s.reason === 'over --limit 3')).toHaveLength(14);
    // Nothing is due before 2026-12-31 in this thread: no question, no model, no key needed.
    const due = assessWith(['questions', 'suggest', '--due', '--provider', 'openai', '--db', db]);
    expect(due.code, due.stderr).toBe(0);
    expect(due.stdout).toContain('No question had anything new to check.');
  });

  it('bad input is exit 2 with one line: an unknown question, a bad --limit, --confirm with JSON, a missing key', () => {
    const cases: [string[], string][] = [
      [['questions', 'suggest', `${thread}:R99`, '--provider', 'replay'], `no question "${thread}:R99"`],
      [['questions', 'suggest', '--limit', '0', '--provider', 'replay'], '--limit 0: expected a whole number from 1 to 500'],
      [['questions', 'suggest', '--confirm', '--format', 'json', '--provider', 'replay'], '--confirm asks on the terminal'],
      [['questions', 'suggest', `${thread}:R10`, '--provider', 'openai'], 'missing API key for provider openai'],
    ];
    for (const [args, message] of cases) {
      const r = assessWith([...args, '--db', db]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
    }
  });

  it('Ctrl-C: the calls are cut, what there is is printed, exit 130, nothing resolved', async () => {
    const before = tableRows(db, 'resolutions');
    const controller = new AbortController();
    controller.abort();
    const r = await runCliCaptured(['questions', 'suggest', `${thread}:R10`, `${thread}:R2`, '--provider', 'replay', '--db', db], { signal: controller.signal, cwd: ROOT });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toContain(`| ${thread}:R10 | failed |`);
    expect(tableRows(db, 'resolutions')).toEqual(before);
  });

  describe('a newer event that does resolve questions', () => {
    const NEW_EVENT = 'c0ffee00c0ffee00';
    let replayDir: string;
    let eventAt: string;

    beforeAll(() => {
      // A third event joins the thread after every forecast: the Diet passes a motion.
      const d = new Database(db);
      const lastForecast = d.prepare('SELECT MAX(made_at) FROM forecasts').pluck().get() as string;
      eventAt = new Date(Date.parse(lastForecast) + 1).toISOString();
      d.prepare('INSERT INTO thread_events (event_id, thread_id, title, summary, event_at, added_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        NEW_EVENT,
        thread,
        'Diet motion demands review of the $550B package',
        'The lower house passed an opposition motion demanding a review of the $550 billion package, 240 votes to 190. Korea signed its own investment vehicle with U.S. project selection.',
        eventAt,
        eventAt,
      );
      d.close();
      // Recordings for it: R10 resolved yes with a true quote, R2 resolved yes, R11 quoting text the event lacks.
      replayDir = join(dir, 'replay');
      const folder = join(replayDir, 'diet-motion');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ eventId: NEW_EVENT, eventFile: 'none' }));
      const answer = (outcome: string, quote: string) =>
        JSON.stringify({
          model: 'recorded-suggester',
          usage: { inputTokens: 1000, outputTokens: 100 },
          output: { verdict: 'resolved', outcome, happenedOn: eventAt.slice(0, 10), evidence: [{ event: 'E1', quote }], confidence: 0.9, rationale: "It's in the event; see the $ figures." },
        });
      writeFileSync(join(folder, 'suggest-R10.json'), answer('yes', 'passed an opposition motion demanding a review'));
      writeFileSync(join(folder, 'suggest-R2.json'), answer('yes', 'Korea signed its own investment vehicle with U.S. project selection'));
      writeFileSync(join(folder, 'suggest-R11.json'), answer('yes', 'five projects reached financial close'));
      cpSync(join(ROOT, 'fixtures', 'replay', 'jbic-first-projects'), join(replayDir, 'jbic-first-projects'), { recursive: true });
    });

    const ids = () => [`${thread}:R10`, `${thread}:R2`, `${thread}:R11`];
    const show = (id: string) => JSON.parse(assess(['questions', 'show', id, '--format', 'json', '--db', db]).stdout) as QuestionDetail;

    it('proposes with the command that records it; the command works as printed', () => {
      const before = tableRows(db, 'resolutions');
      const r = assess(['questions', 'suggest', ...ids(), '--provider', 'replay', '--replay-dir', replayDir, '--db', db]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`| ${thread}:R10 | resolved: yes | 0.90 |`);
      expect(r.stdout).toContain(`| ${thread}:R11 | unclear (model said resolved) | 0.90 |`);
      expect(r.stdout).toContain('NOT FOUND in the event');
      const commands = [...r.stdout.matchAll(/```sh\n(assess resolve [^\n]+)\n```/g)].map((m) => m[1]!);
      expect(commands).toHaveLength(2);
      expect(commands[0]).toContain(`assess resolve ${thread}:R10 --outcome yes --at ${eventAt} --note 'suggested by replay/replay (confidence 0.90), confirmed by a person: It'\\''s in the event; see the $ figures.'`);
      expect(tableRows(db, 'resolutions')).toEqual(before);

      // Pasted into a shell, the first command records exactly what it says.
      const sh = spawnSync('sh', ['-c', `${commands[0]!.replace(/^assess /, `"${process.execPath}" "${CLI}" `)} --db "${db}"`], { cwd: ROOT, encoding: 'utf8' });
      expect(sh.status, sh.stderr).toBe(0);
      expect(show(`${thread}:R10`).resolution).toMatchObject({
        outcome: 'yes',
        at: eventAt,
        note: "suggested by replay/replay (confidence 0.90), confirmed by a person: It's in the event; see the $ figures.",
      });
    });

    it('--confirm records only what the person answers yes to', () => {
      const before = tableRows(db, 'resolutions').length;
      // R10 is resolved by now, so it is skipped; R2 is proposed (answered y), R11 is not (unclear).
      const r = assessWith(['questions', 'suggest', ...ids(), '--confirm', '--provider', 'replay', '--replay-dir', replayDir, '--db', db], 'y\n');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`- ${thread}:R10: already resolved (yes)`);
      expect(r.stderr).toContain(`Resolve ${thread}:R2 as yes (happened ${eventAt.slice(0, 10)})? [y/N] `);
      expect(r.stderr).toContain(`${thread}:R2 resolved: yes at ${eventAt}`);
      expect(tableRows(db, 'resolutions')).toHaveLength(before + 1);
      expect(show(`${thread}:R2`).resolution).toMatchObject({ outcome: 'yes', at: eventAt });
      expect(show(`${thread}:R11`).resolution).toBeNull();
    });

    it('anything but y, or no answer at all, leaves the question unresolved', () => {
      rmSync(join(replayDir, 'diet-motion', 'suggest-R11.json'));
      writeFileSync(
        join(replayDir, 'diet-motion', 'suggest-R11.json'),
        JSON.stringify({
          model: 'recorded-suggester',
          usage: { inputTokens: 1000, outputTokens: 100 },
          output: { verdict: 'resolved', outcome: 'yes', happenedOn: null, evidence: [{ event: 'E1', quote: '240 votes to 190' }], confidence: 0.6, rationale: 'Weak.' },
        }),
      );
      const before = tableRows(db, 'resolutions');
      for (const input of ['n\n', 'yep\n', '']) {
        const r = assessWith(['questions', 'suggest', `${thread}:R11`, '--confirm', '--provider', 'replay', '--replay-dir', replayDir, '--db', db], input);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(input === '' ? /no answer: nothing more resolved/ : /R11: left unresolved/);
      }
      expect(tableRows(db, 'resolutions')).toEqual(before);
    });
  });
});
