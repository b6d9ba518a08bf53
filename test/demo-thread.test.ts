/**
 * The offline demo of a story over time (`npm run demo:thread`): the seed event and its recorded
 * follow-up (fixtures/replay/jbic-first-projects/) run through the built CLI (dist/, as the demo
 * does) into a throwaway archive. The second run must show every desk's memory and "since the last
 * consolidated view", with every number the reports show recomputed here from the two runs' own
 * JSON. Like bundle.test.ts, this tests the dist/ that exists: run `npm run build` after changing src/.
 */
import { spawn } from 'node:child_process';
import type { TrajectoryChange } from '../src/assessment/update.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { eventId } from '../src/event/event-id.js';
import { nodeEventReaders, readEvent } from '../src/event/read-event.js';
import { ReplayManifestSchema } from '../src/llm/replay-model.js';
import { CLI, spawnCli } from './bench/spawn-cli.js';
import { ROOT, SEED_EVENT } from './support/paths.js';

const FOLLOW_UP = join(ROOT, 'fixtures', 'events', 'jbic-first-projects.md');
const FOLLOW_UP_REPLAY = join(ROOT, 'fixtures', 'replay', 'jbic-first-projects');
const DEMO_SCRIPT = join(ROOT, 'scripts', 'demo-thread.mjs');
const DESKS = ['CN-01', 'EU-01', 'GB-01', 'IN-01', 'JP-01', 'KR-01', 'TW-01', 'US-01'];

/** A change as the JSON report carries it: the report serialises the pipeline's own type. */
type Change = TrajectoryChange;

interface Assessment {
  agentId: string;
  stance: { label: string };
  keyFacts: { evidence?: string[] }[];
  risks: { id: string; evidence?: string[] }[];
  trajectories: { id: string; name: string; probability: number }[];
  indicators: { id: string; indicator: string }[];
  grounding?: { supplied: number; background: number };
  warnings?: string[];
  update?: {
    previousRunId: string;
    previousAt: string;
    headline: string;
    changes: Change[];
    indicators: { indicatorId: string; indicator: string; status: string; note: string; evidence: string[] }[];
    needsReview: boolean;
  };
}

interface Scenario {
  id: string;
  name: string;
  lineageId?: string;
  memberIds: string[];
  pooledProbability: number;
}

interface Report {
  runId: string;
  status: string;
  startedAt: string;
  event: { id: string; title: string };
  thread: { id: string; title: string; events: number; link: { method: string } };
  assessments: Assessment[];
  failures: unknown[];
  synthesis: {
    warnings: string[];
    scenarios: Scenario[];
    riskRegister: { id: string; title: string; sourceIds: string[] }[];
    sinceLast?: {
      previousRunId: string;
      previousAt: string;
      scenarios: { scenarioId: string; lineageId: string; name: string; previous: number | null; current: number; delta: number | null; matchedTo: { scenarioId: string; by: string } | null }[];
      retiredScenarios: unknown[];
      stanceChanges: { agentId: string; previous: string; current: string }[];
      newRisks: { id: string; title: string }[];
      retiredRisks: { id: string; title: string }[];
      triggeredIndicators: { agentId: string; indicatorId: string; indicator: string; note: string }[];
    };
  };
}

/** Rounded as the code stores deltas: 3 decimals, no -0. */
const round3 = (x: number): number => Math.round(x * 1000) / 1000 || 0;

let dir: string;
let first: Report;
let second: Report;
let markdown: string;
let demoStderr: string;

/** `node <script>` with a clean environment, as `npm run demo:thread` starts it. */
function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runJson(args: string[]): Promise<Report> {
  const proc = await spawnCli(['run', ...args, '--provider', 'replay', '--db', join(dir, 'json.db'), '--format', 'json', '--no-progress'], {}, { usage: false, cwd: dir, killAfterMs: 60_000 });
  expect(proc.stderr).not.toMatch(/desk failed|invalid/i);
  expect(proc.code).toBe(0);
  return JSON.parse(proc.stdout) as Report;
}

const deskOf = (report: Report, agentId: string): Assessment => {
  const a = report.assessments.find((x) => x.agentId === agentId);
  if (!a) throw new Error(`${agentId} missing from run ${report.runId}`);
  return a;
};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before these tests`);
  dir = mkdtempSync(join(tmpdir(), 'assess-demo-thread-'));
  first = await runJson([SEED_EVENT]);
  second = await runJson([FOLLOW_UP]);
  const demo = await runScript(DEMO_SCRIPT, { DEMO_THREAD_DIR: join(dir, 'demo') });
  expect(demo.code).toBe(0);
  markdown = demo.stdout;
  demoStderr = demo.stderr;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the recorded follow-up event', () => {
  it('its recordings answer the follow-up event file (manifest id = the event id)', async () => {
    const manifest = ReplayManifestSchema.parse(JSON.parse(readFileSync(join(FOLLOW_UP_REPLAY, 'manifest.json'), 'utf8')));
    const { id, event } = await readEvent({ path: join(ROOT, manifest.eventFile) }, nodeEventReaders());
    expect(join(ROOT, manifest.eventFile)).toBe(FOLLOW_UP);
    expect(id).toBe(manifest.eventId);
    expect(eventId(event)).toBe(id);
  });
});

describe('demo:thread — two events of one story, replayed into a fresh archive', () => {
  it('both runs finish ok with all eight desks, and the follow-up joins the first event\'s thread', () => {
    for (const report of [first, second]) {
      expect(report.status).toBe('ok');
      expect(report.failures).toEqual([]);
      expect(report.assessments.map((a) => a.agentId).sort()).toEqual(DESKS);
      expect(report.synthesis.warnings).toEqual([]);
    }
    expect(second.event.id).not.toBe(first.event.id);
    expect(second.thread.id).toBe(first.thread.id);
    expect(second.thread.title).toBe(first.thread.title);
    expect(second.thread.events).toBe(2);
    // Linked by similarity alone: no --thread was given.
    expect(first.thread.link.method).toBe('new');
    expect(second.thread.link.method).toBe('similarity');
    expect(first.synthesis.sinceLast).toBeUndefined();
  });

  it('every desk had memory: its update points at the first run, and keeps its trajectory ids', () => {
    for (const agentId of DESKS) {
      const before = deskOf(first, agentId);
      const after = deskOf(second, agentId);
      expect(before.update).toBeUndefined();
      const update = after.update;
      if (!update) throw new Error(`${agentId} has no update`);
      expect(update.previousRunId).toBe(first.runId);
      expect(update.headline.length).toBeGreaterThan(100);
      // Continued, never renumbered: every earlier id is still there, meaning the same path.
      const earlierIds = before.trajectories.map((t) => t.id);
      const nowIds = after.trajectories.map((t) => t.id);
      expect(nowIds.slice(0, earlierIds.length)).toEqual(earlierIds);
      for (const t of before.trajectories) expect(after.trajectories.find((x) => x.id === t.id)?.name).toBe(t.name);
      // Anything new is numbered above the earlier ids.
      const highest = Math.max(...earlierIds.map((id) => Number(id.split(':T')[1])));
      nowIds.slice(earlierIds.length).forEach((id, i) => expect(id).toBe(`${agentId}:T${highest + i + 1}`));
      expect(after.warnings ?? []).toEqual([]);
    }
    // The recordings: one desk adds a trajectory, none retires one.
    const added = second.assessments.flatMap((a) => a.update!.changes.filter((c) => c.status === 'added').map((c) => c.trajectoryId));
    expect(added).toEqual(['KR-01:T4']);
    expect(second.assessments.flatMap((a) => a.update!.changes.filter((c) => c.status === 'retired'))).toEqual([]);
  });

  it('each change is computed from the two runs\' numbers: previous, current, delta = current − previous', () => {
    let moved = 0;
    let unchanged = 0;
    for (const agentId of DESKS) {
      const before = deskOf(first, agentId);
      const after = deskOf(second, agentId);
      const changes = after.update!.changes;
      expect(changes.map((c) => c.trajectoryId).sort()).toEqual(after.trajectories.map((t) => t.id).sort());
      for (const c of changes) {
        const now = after.trajectories.find((t) => t.id === c.trajectoryId)!;
        const was = before.trajectories.find((t) => t.id === c.trajectoryId);
        expect(c.current).toBe(now.probability);
        expect(c.name).toBe(now.name);
        if (!was) {
          expect(c).toMatchObject({ status: 'added', previous: null, delta: null });
          expect(c.evidence).toContain('E1');
          continue;
        }
        expect(c.previous).toBe(was.probability);
        expect(c.delta).toBe(round3(now.probability - was.probability));
        expect(c.status).toBe(Math.abs(c.delta!) < 0.005 ? 'unchanged' : 'changed');
        if (c.status === 'unchanged') unchanged++;
        // A move of 0.05 or more cites an event, so code flags nothing; no jump needs review.
        if (Math.abs(c.delta!) >= 0.05) {
          moved++;
          expect(c.evidence).toContain('E1');
        }
        expect(c.flags).toEqual([]);
      }
      expect(after.update!.needsReview).toBe(false);
      expect(after.trajectories.reduce((s, t) => s + t.probability, 0)).toBeCloseTo(1, 6);
    }
    // Small steps: some estimates held, a few moved by 0.05 or more (never above 0.25).
    expect(unchanged).toBeGreaterThanOrEqual(3);
    expect(moved).toBeGreaterThanOrEqual(2);
  });

  it('indicator updates name the earlier view\'s indicators', () => {
    for (const agentId of DESKS) {
      const before = deskOf(first, agentId);
      for (const i of deskOf(second, agentId).update!.indicators) {
        expect(before.indicators.find((x) => x.id === i.indicatorId)?.indicator).toBe(i.indicator);
        expect(['triggered', 'trending', 'quiet']).toContain(i.status);
      }
    }
  });

  it('grounding: both runs count supplied vs background items, and the follow-up cites E1 and E2 only', () => {
    for (const report of [first, second]) {
      for (const a of report.assessments) {
        const items = [...a.keyFacts, ...a.risks];
        const supplied = items.filter((x) => (x.evidence ?? []).length > 0).length;
        expect(a.grounding).toEqual({ supplied, background: items.length - supplied });
        expect(supplied).toBeGreaterThan(0);
      }
    }
    const cited = new Set(second.assessments.flatMap((a) => [...a.keyFacts, ...a.risks].flatMap((x) => x.evidence ?? [])));
    expect([...cited].sort()).toEqual(['E1', 'E2']);
  });

  it('since the last consolidated view: the first run, scenario deltas matched by trajectories, stances, risks, indicators', () => {
    const since = second.synthesis.sinceLast;
    if (!since) throw new Error('no sinceLast');
    expect(since.previousRunId).toBe(first.runId);
    expect(since.scenarios).toHaveLength(second.synthesis.scenarios.length);
    for (const s of since.scenarios) {
      const now = second.synthesis.scenarios.find((x) => x.id === s.scenarioId)!;
      expect(s.current).toBe(now.pooledProbability);
      expect(s.lineageId).toBe(now.lineageId);
      // The desks kept their trajectory ids, so every scenario is matched by them, not by name.
      expect(s.matchedTo?.by).toBe('trajectories');
      const was = first.synthesis.scenarios.find((x) => x.id === s.matchedTo!.scenarioId)!;
      expect(s.previous).toBe(was.pooledProbability);
      expect(s.delta).toBe(round3(now.pooledProbability - was.pooledProbability));
      expect(s.lineageId).toBe(was.lineageId);
      expect(now.memberIds.filter((id) => was.memberIds.includes(id))).toEqual(was.memberIds);
    }
    expect(since.retiredScenarios).toEqual([]);
    expect(since.scenarios.reduce((sum, s) => sum + s.current, 0)).toBeCloseTo(1, 2);
    expect(since.scenarios.reduce((sum, s) => sum + (s.delta ?? 0), 0)).toBeCloseTo(0, 2);

    const stanceChanges = DESKS.flatMap((agentId) => {
      const [was, now] = [deskOf(first, agentId).stance.label, deskOf(second, agentId).stance.label];
      return was === now ? [] : [{ agentId, previous: was, current: now }];
    });
    expect(since.stanceChanges).toEqual(stanceChanges);
    expect(stanceChanges).toEqual([{ agentId: 'EU-01', previous: 'mixed', current: 'skeptical' }]);

    const triggered = second.assessments.flatMap((a) =>
      a.update!.indicators.filter((i) => i.status === 'triggered').map((i) => ({ agentId: a.agentId, indicatorId: i.indicatorId, indicator: i.indicator, note: i.note })),
    );
    expect(since.triggeredIndicators).toEqual(triggered);
    expect(triggered.map((i) => i.indicatorId)).toContain('US-01:I1');

    const earlierTitles = first.synthesis.riskRegister.map((r) => r.title);
    for (const r of since.newRisks) {
      expect(second.synthesis.riskRegister.find((x) => x.id === r.id)?.title).toBe(r.title);
      expect(earlierTitles).not.toContain(r.title);
    }
    expect(since.newRisks.map((r) => r.title)).toEqual(['Energy-heavy first slate: large nuclear and power projects']);
    expect(since.retiredRisks).toEqual([]);
    // The synthesizer placed every desk risk, the new ones included.
    const riskIds = second.assessments.flatMap((a) => a.risks.map((r) => r.id)).sort();
    expect(second.synthesis.riskRegister.flatMap((r) => r.sourceIds).sort()).toEqual(riskIds);
  });

  it('the Markdown report shows each desk\'s update lines and opens with "Since the last consolidated view"', () => {
    const firstRun = /→ run ([0-9a-f]{8}), thread (th-[0-9a-f]+)/.exec(demoStderr);
    if (!firstRun) throw new Error(`no first run in the demo's stderr: ${demoStderr}`);
    const [, shortRun, threadId] = firstRun;
    expect(demoStderr).toContain(`thread ${threadId}: Japan Unveils $550B U.S. Investment (2 event(s)`);
    expect(markdown.startsWith('# Japan and U.S. Name First Projects for the $550B Investment Facility')).toBe(true);

    const sinceAt = markdown.indexOf(`## Since the last consolidated view (`);
    expect(sinceAt).toBeGreaterThan(0);
    // Dated by the earlier event (26 Sep 2025), not by when the replay assessed it (today).
    expect(markdown.slice(sinceAt)).toMatch(new RegExp(`^## Since the last consolidated view \\(2025-09-26, run ${shortRun}\\)\n\n_That view assessed "Japan Unveils \\$550B U\\.S\\. Investment"\\._`));
    const since = markdown.slice(sinceAt, markdown.indexOf('\n## ', sinceAt + 1));
    expect(since).toMatch(/- Modest, selective delivery: \d+(\.\d)?% → \d+(\.\d)?% \(\+\d+(\.\d)? pts?\)/);
    expect(since).toMatch(/- Dilution and stall: \d+(\.\d)?% → \d+(\.\d)?% \(-\d+(\.\d)? pts?\)/);
    expect(since).toContain('- **EU-01**: mixed → skeptical');
    expect(since).toContain('- New: **Energy-heavy first slate: large nuclear and power projects**');
    expect(since).toContain('(`US-01:I1`)');
    // It comes before the desks and the rest of the consolidated view.
    expect(sinceAt).toBeLessThan(markdown.indexOf('**Overall risk:'));

    for (const agentId of DESKS) {
      const at = markdown.indexOf(`## ${agentId} — `);
      expect(at).toBeGreaterThan(0);
      const section = markdown.slice(at, markdown.indexOf('\n## ', at + 1));
      expect(section).toContain(`### What changed since our view of 2025-09-26 "Japan Unveils $550B U.S. Investment" (run ${shortRun})`);
      expect(section).toContain(`(run ${shortRun})`);
      expect(section).toMatch(/Grounding: \d+ of \d+ key facts and risks rest on the events supplied/);
    }
    expect(markdown).toMatch(/\*\*Broad delivery: a credible, selective pipeline\*\* \(`US-01:T1`\): 55% → 60% \(\+5 pts\) — new evidence: .+ \[E1\]/);
    expect(markdown).toContain('**Japan delivers selectively; the UK\'s lighter deal holds** (`GB-01:T1`): 55% — no change');
    expect(markdown).toMatch(/\(`KR-01:T4`\): new at 10% — new evidence: /);
    expect(markdown).toMatch(/\(`KR-01:I6`\): triggered — On 14 October China placed five U\.S\.-linked subsidiaries of Hanwha Ocean/);
  });
});

describe('a corrupt earlier assessment in the archive', () => {
  it('is skipped with a warning: that desk assesses afresh, the others remember, nothing crashes', async () => {
    const db = join(dir, 'corrupt.db');
    const run = (args: string[]) =>
      spawnCli(['run', ...args, '--provider', 'replay', '--db', db, '--format', 'json', '--no-progress'], {}, { usage: false, cwd: dir, killAfterMs: 60_000 });
    const before = await run([SEED_EVENT]);
    expect(before.code).toBe(0);
    const firstRun = (JSON.parse(before.stdout) as Report).runId;
    const archive = new Database(db);
    archive.prepare("UPDATE desk_results SET assessment_json = '{\"bottomLine\": ' WHERE run_id = ? AND agent_id = 'JP-01'").run(firstRun);
    archive.close();

    const after = await run([FOLLOW_UP]);
    expect(after.stderr).not.toMatch(/^\s+at /m);
    expect(after.code).toBe(0);
    expect(after.stderr).toMatch(/^warning: thread th-[0-9a-f]+: JP-01's assessment in run [0-9a-f]{8} \("Japan Unveils \$550B U\.S\. Investment"\) could not be read \(.+\); skipped$/m);
    const report = JSON.parse(after.stdout) as Report;
    expect(report.status).toBe('ok');
    expect(deskOf(report, 'JP-01').update).toBeUndefined();
    expect(deskOf(report, 'US-01').update?.previousRunId).toBe(firstRun);
  }, 60_000);
});
