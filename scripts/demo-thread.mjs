#!/usr/bin/env node
/**
 * `npm run demo:thread`: the offline demo of a story over time. Runs the seed event (Japan's JBIC
 * facility, 26 Sep 2025) and then its recorded follow-up (the first projects named, 28 Oct 2025)
 * through the replay provider into a fresh throwaway archive, so the second report shows desk
 * memory ("What changed since …" per desk) and "Since the last consolidated view". Prints the
 * second run's report; extra arguments go to that run (`npm run demo:thread -- --format json`).
 *
 * Nothing tells the follow-up which thread to join: it is linked by similarity (0.28 against the
 * join threshold of 0.26, 32 days apart), as any `assess run` or `watch` item would be.
 *
 * The archive lives in `.demo/thread/` (git-ignored) and is deleted first, so every run starts the
 * same way. DEMO_THREAD_DIR puts it elsewhere (the tests use a temporary folder).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const dir = resolve(process.env.DEMO_THREAD_DIR ?? join(root, '.demo', 'thread'));
const db = join(dir, 'assess.db');
const FIRST = join(root, 'fixtures', 'events', 'jbic-550b.md');
const FOLLOW_UP = join(root, 'fixtures', 'events', 'jbic-first-projects.md');

if (!existsSync(cli)) {
  process.stderr.write(`demo:thread: ${cli} is missing: run \`npm run build\` first\n`);
  process.exit(2);
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const assess = (args, stdio) =>
  spawnSync(process.execPath, [cli, 'run', ...args, '--provider', 'replay', '--db', db], {
    cwd: root,
    stdio,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

// 1. The earlier event, quietly: only its thread is needed.
const first = assess([FIRST, '--format', 'json', '--no-progress'], ['ignore', 'pipe', 'pipe']);
if (first.status !== 0) {
  process.stderr.write(first.stderr ?? '');
  process.stderr.write(`demo:thread: the first event failed (exit ${first.status ?? first.signal})\n`);
  process.exit(first.status ?? 1);
}
const report = JSON.parse(first.stdout);
process.stderr.write(`demo:thread: ${report.event.title} → run ${report.runId.slice(0, 8)}, thread ${report.thread.id}\n`);

// 2. The follow-up, linked into that thread by similarity: its report on stdout, progress on stderr.
const second = assess([FOLLOW_UP, ...process.argv.slice(2)], 'inherit');
process.exit(second.status ?? 1);
