import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventId } from '../src/event/event-id.js';
import { readEvent, nodeEventReaders } from '../src/event/read-event.js';
import { ReplayManifestSchema } from '../src/llm/replay-model.js';
import { runCliCaptured } from './support/cli-io.js';
import { REPLAY_DIR, ROOT, SEED_EVENT } from './support/paths.js';

const DESKS = ['CN-01', 'EU-01', 'GB-01', 'IN-01', 'JP-01', 'KR-01', 'TW-01', 'US-01'];
/**
 * The real JP-01 assessment the demo's JP-01 recording transcribes, kept as the project's own
 * fixture (byte for byte as received) so the transcription test runs on every checkout.
 */
const SEED_FILE = `${ROOT}fixtures/seed/jp-01-jbic-550b.txt`;
const SEED_BYTES = readFileSync(SEED_FILE);
const SEED = SEED_BYTES.toString('utf8').replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/[\u00a0\s]+/g, ' ');

interface JsonReport {
  runId: string;
  status: string;
  event: { id: string; title: string };
  assessments: {
    agentId: string;
    stance: { label: string };
    keyFacts: { feature: string; detail: string }[];
    upside: { title: string }[];
    risks: { id: string; axis: string; title: string }[];
    trajectories: { id: string; name: string; probability: number; label: string }[];
    caveats: string[];
    strategicSignificance: { points: string[] };
    indicators: { id: string }[];
    signOff: string;
    provenance: { promptHash: string; provider: string };
  }[];
  failures: unknown[];
  synthesis: {
    scenarios: { pooledProbability: number; perAgent: unknown[] }[];
    riskRegister: { sourceIds: string[] }[];
    coverage: { included: string[]; missing: unknown[] };
    warnings: string[];
    provenance: { promptHash: string };
  };
  usage: { total: { calls: number; inputTokens: number; outputTokens: number } };
}

async function demoJson(): Promise<JsonReport> {
  const run = await runCliCaptured(['run', SEED_EVENT, '--provider', 'replay', '--format', 'json', '--no-progress']);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as JsonReport;
}

describe('replay demo on the seed event', () => {
  it('the recordings are for the seed event (manifest id matches the event file)', async () => {
    const manifest = ReplayManifestSchema.parse(JSON.parse(readFileSync(`${REPLAY_DIR}manifest.json`, 'utf8')));
    const { id, event } = await readEvent({ path: `${ROOT}${manifest.eventFile}` }, nodeEventReaders());
    expect(id).toBe(manifest.eventId);
    expect(eventId(event)).toBe(id);
  });

  it('runs all eight desks and the synthesis offline, exit 0', async () => {
    const report = await demoJson();
    expect(report.status).toBe('ok');
    expect(report.assessments.map((a) => a.agentId).sort()).toEqual(DESKS);
    expect(report.failures).toEqual([]);
    expect(report.synthesis.coverage.included.sort()).toEqual(DESKS);
    // The recorded synthesizer places every desk risk and trajectory: nothing dropped or left over.
    expect(report.synthesis.warnings).toEqual([]);
    const riskIds = report.assessments.flatMap((a) => a.risks.map((r) => r.id)).sort();
    expect(report.synthesis.riskRegister.flatMap((r) => r.sourceIds).sort()).toEqual(riskIds);
    expect(report.synthesis.scenarios).toHaveLength(3);
    expect(report.synthesis.scenarios.reduce((s, x) => s + x.pooledProbability, 0)).toBeCloseTo(1, 2);
    for (const s of report.synthesis.scenarios) expect(s.perAgent).toHaveLength(8);
    expect(report.usage.total.calls).toBe(9);
    for (const a of report.assessments) {
      expect(a.trajectories.reduce((s, t) => s + t.probability, 0)).toBeCloseTo(1, 1);
      expect(a.provenance.promptHash).toMatch(/^[0-9a-f]{12}$/);
      expect(a.signOff.startsWith(`${a.agentId}, `)).toBe(true);
    }
    expect(report.synthesis.provenance.promptHash).toMatch(/^[0-9a-f]{12}$/);
  });

  it('the seed text is the one the recording was transcribed from, unchanged', () => {
    // A changed or truncated fixture would weaken the test below without failing it.
    expect(createHash('sha256').update(SEED_BYTES).digest('hex')).toBe('2f471ea2565c00e7f10cbedd6f5904165842ec3e609aeecbfe5baf7a4d3be371');
    expect(SEED.startsWith('Japan Unveils $550B U.S. Investment On September 26, 2025')).toBe(true);
  });

  it('JP-01 carries every fact row, upside point, risk, trajectory, caveat and significance point of the seed', async () => {
    const report = await demoJson();
    const jp = report.assessments.find((a) => a.agentId === 'JP-01')!;
    expect(jp.stance.label).toBe('skeptical');
    expect(jp.keyFacts.map((f) => f.feature)).toEqual([
      'Timing & scope',
      'Target sectors',
      'Instruments',
      'Regulatory adjustment',
      'Profit-sharing / return allocation',
      'Control & oversight',
      'Timeline & political alignment',
    ]);
    for (const f of jp.keyFacts) expect(SEED).toContain(f.feature + f.detail.slice(0, 40));
    expect(jp.upside.map((u) => u.title)).toEqual([
      'Anchoring geopolitical trust with Washington',
      'Industrial/demand leverage',
      'Securing favorable tariff treatment',
      'Institutional evolution of JBIC',
      'Signaling discipline via government-backed financing',
    ]);
    expect(jp.risks).toHaveLength(11);
    expect([...new Set(jp.risks.map((r) => r.axis))]).toEqual([
      'Credibility, deliverability, and moral hazard',
      'Domestic political backlash & oversight',
      'Alignment of interests / coordination problems',
      'Geopolitical backlash and signaling',
    ]);
    for (const r of jp.risks) expect(SEED).toContain(r.title);
    expect(jp.risks.map((r) => r.id)).toEqual(Array.from({ length: 11 }, (_, i) => `JP-01:R${i + 1}`));
    expect(jp.trajectories.map((t) => [t.name, t.label])).toEqual([
      ['Modest, selective success', 'Most likely'],
      ['Overcommitment / misexecution', 'Significant risk'],
      ['Strategic dilution or backsliding', 'Less likely but possible'],
    ]);
    expect(jp.caveats).toHaveLength(4);
    for (const c of jp.caveats) expect(SEED).toContain(c.slice(0, 50));
    expect(jp.strategicSignificance.points).toHaveLength(4);
    for (const p of jp.strategicSignificance.points) expect(SEED).toContain(p.slice(0, 50));
  });

  it('the Markdown report reads like the seed: facts and trajectories as tables, numbered upside, risks by axis, sign-off', async () => {
    const run = await runCliCaptured(['run', SEED_EVENT, '--provider', 'replay', '--agents', 'JP-01', '--no-progress']);
    // One desk still gets a synthesis; the recorded synthesizer also names other desks' ids, which are dropped with notes.
    expect(run.code).toBe(0);
    const md = run.stdout;
    expect(md).toContain('# Japan Unveils $550B U.S. Investment');
    expect(md).toContain('## JP-01 — Japan Desk');
    expect(md).toContain('| Feature | Details | Sources |');
    expect(md).toMatch(/\| Timing & scope \| The facility is announced 26 September 2025/);
    expect(md).toContain('1. **Anchoring geopolitical trust with Washington**');
    expect(md).toContain('5. **Signaling discipline via government-backed financing**');
    expect(md).toContain('#### 1. Credibility, deliverability, and moral hazard');
    expect(md).toContain('#### 4. Geopolitical backlash and signaling');
    expect(md).toContain('| Trajectory | Likelihood | Resolves by | Key dynamics | Implications |');
    expect(md).toMatch(/\| Modest, selective success \(`JP-01:T1`\) \| Most likely \(55%\) \| 2029-01-20 \|/);
    // Issue 14: each trajectory's criterion under the table, each risk's horizon and criterion.
    expect(md).toContain('How each trajectory resolves:\n\n- `JP-01:T1` Modest, selective success (by 2029-01-20): By 2029-01-20, JBIC or MOF announce');
    expect(md).toMatch(/- \*\*Risk of underperformance or defaults\*\* \(`JP-01:R2` · severity high · likelihood 45% by 2028-12-31[ )·]/);
    expect(md).toContain('  _Resolves if:_ By 2028-12-31, JBIC or NEXI disclose an impairment');
    expect(md).toContain('A few additional caveats:');
    expect(md).toContain('### Strategic significance for Japan going forward');
    expect(md).toContain('— JP-01, Japan Desk');
    expect(md).toContain('## Consolidated risk view');
    expect(md).toContain('### Synthesis notes');
    expect(md).toMatch(/dropped unknown id US-01:R\d+ from risk cluster/);
    expect(run.stderr).toMatch(/run [0-9a-f-]{36}: ok \(1\/1 desks\)/);
  });

  it('--out writes report.md and report.json and leaves stdout empty', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/assess-out-`);
    try {
      const run = await runCliCaptured(['run', SEED_EVENT, '--provider', 'replay', '--out', dir, '--no-progress']);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      expect(readFileSync(`${dir}/report.md`, 'utf8')).toContain('## Consolidated risk view');
      const json = JSON.parse(readFileSync(`${dir}/report.json`, 'utf8')) as JsonReport;
      expect(json.assessments).toHaveLength(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
