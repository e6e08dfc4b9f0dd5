#!/usr/bin/env node
// git-monitor backfill benchmark: importing a generated repository of N commits (default 10,000,
// made with `git fast-import`) through the real kernel — the git_backfill tool: one
// `git log --numstat` pass, parse, INSERT OR IGNORE into git_monitor__commits in chunks, one
// commit.created event per commit committed to the event log — against `git log --numstat` itself
// on the same repository, side by side in the same run (only the ratio means anything on a shared
// machine). A second import of the same history (adds nothing) is shown for information.
//
// Usage: node test/bench/git-monitor.mjs [--commits N] [--rounds R]   (or BENCH_COMMITS, BENCH_ROUNDS)
// Exits 1 when the import takes more than 2× `git log --numstat`, or does not record every commit.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kernel } from '@devflow/core';
import { createRootLogger } from '../../core/dist/src/logger.js';
import gitMonitor from '../../plugins/git-monitor/dist/src/index.js';
import { fmtInt, gc, machine, median, table } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    commits: { type: 'string', default: process.env.BENCH_COMMITS ?? '10000' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '7' },
  },
});
const COMMITS = Number(args.commits);
const ROUNDS = Number(args.rounds);
const TARGET = 2; // import time ≤ 2 × git log --numstat
const DAYS = 150; // commits are spread over this many days; the import asks for 3650

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

/** A repository of n commits on main, each touching 1–3 of 200 files (fast-import: one process). */
function generate(dir, n) {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env: GIT_ENV });
  const now = Math.floor(Date.now() / 1000);
  const step = Math.floor((DAYS * 86_400) / n);
  const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const parts = [];
  for (let i = 1; i <= n; i++) {
    const ts = now - (n - i) * step - 60;
    const who = i % 3 ? 'Ada Lovelace <ada@example.com>' : 'Bob Builder <bob@example.com>';
    parts.push(`commit refs/heads/main\nmark :${i}\nauthor ${who} ${ts} +0000\ncommitter ${who} ${ts} +0000\n`);
    parts.push(data(`${['feat', 'fix', 'chore', 'refactor'][i % 4]}(area${i % 7}): change number ${i} PROJ-${(i % 300) + 1}\n\nBody of commit ${i}.\n${i % 5 ? '' : '\nCo-authored-by: Carol <carol@example.com>\n'}`));
    if (i > 1) parts.push(`from :${i - 1}\n`);
    for (let k = 0; k < 1 + (i % 3); k++) parts.push(`M 644 inline src/module${(i * 7 + k * 13) % 200}/file.ts\n${data(`export const v${i} = ${i};\n`.repeat(1 + (i % 9)))}`);
    parts.push('\n');
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: parts.join(''), env: GIT_ENV, stdio: ['pipe', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
  execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: dir, env: GIT_ENV });
}

/** `git log --numstat` with its output read to the end, as a consumer would. */
function gitLogNumstat(dir) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('git', ['log', '--numstat'], { cwd: dir, env: GIT_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    p.stdout.on('data', (b) => (bytes += b.length));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`git log exited ${code}`))));
  });
}

const logLines = [];
const logger = createRootLogger({ level: 'warn', destination: { write: (chunk) => void logLines.push(chunk) } });

async function openKernel(project) {
  const home = mkdtempSync(join(tmpdir(), 'devflow-bench-git-'));
  const kernel = Kernel.open({
    plugins: [gitMonitor],
    config: { projects: [project], plugins: { 'git-monitor': { config: { backfillDays: 0, watch: false } } }, kernel: { watchConfig: false } },
    databasePath: join(home, 'devflow.db'),
    logger,
    env: { ...process.env, DEVFLOW_HOME: home },
    cwd: home,
    watchConfig: false,
  });
  const report = await kernel.start();
  if (report.problems.length) throw new Error(`git-monitor did not start: ${report.problems.map((p) => p.message).join('; ')}`);
  await kernel.pluginApi('git-monitor').rescan(); // first sight (no import: backfillDays 0), outside the measurement
  kernel.flush();
  return { kernel, close: async () => (await kernel.stop(), rmSync(home, { recursive: true, force: true })) };
}

/** The git_backfill tool, until its events are committed to the log. */
async function backfill(kernel) {
  gc();
  const t0 = performance.now();
  const r = await kernel.callTool('git_backfill', { days: 3650 });
  kernel.flush();
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`git_backfill failed: ${r.error.message}`);
  const repo = r.value.repos[0];
  return { ms, seen: repo.seen, added: repo.added, events: kernel.events.count({ types: ['git-monitor.commit.created'] }) };
}

const work = mkdtempSync(join(tmpdir(), 'devflow-bench-gitrepo-'));
try {
  const project = join(work, 'project');
  const repo = join(project, 'generated');
  let t0 = performance.now();
  generate(repo, COMMITS);
  const genMs = performance.now() - t0;
  const logProbe = await gitLogNumstat(repo);
  process.stderr.write(`generated ${fmtInt(COMMITS)} commits in ${fmtInt(genMs)} ms (git log --numstat prints ${fmtInt(logProbe.bytes / 1024)} KiB)\n`);

  const baseline = [];
  const first = [];
  const second = [];
  let bad = null;
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved so drift on a shared machine hits both sides alike.
    baseline.push((await gitLogNumstat(repo)).ms);
    const k = await openKernel(project);
    try {
      const a = await backfill(k.kernel);
      const b = await backfill(k.kernel);
      first.push(a.ms);
      second.push(b.ms);
      if (a.seen !== COMMITS || a.added !== COMMITS || a.events !== COMMITS || b.added !== 0 || b.events !== COMMITS) bad = { first: a, second: b };
    } finally {
      await k.close();
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS}: git log ${fmtInt(baseline[r])} ms, import ${fmtInt(first[r])} ms, again ${fmtInt(second[r])} ms\n`);
  }
  const base = median(baseline);
  const ours = median(first);
  const again = median(second);
  const ratio = ours / base;
  const rows = [
    ['git log --numstat (baseline)', fmtInt(base), fmtInt((COMMITS / base) * 1000), '1.00'],
    ['git_backfill: first import', fmtInt(ours), fmtInt((COMMITS / ours) * 1000), ratio.toFixed(2)],
    ['git_backfill: again (adds nothing)', fmtInt(again), fmtInt((COMMITS / again) * 1000), (again / base).toFixed(2)],
  ];
  console.log(`\ngit-monitor backfill, ${fmtInt(COMMITS)} commits, median of ${ROUNDS} rounds\n`);
  console.log(table(['variant', 'ms', 'commits/s', '× baseline'], rows));
  const pass = ratio <= TARGET && !bad;
  console.log(`\ntarget: import ≤ ${TARGET}× git log --numstat → ${ratio.toFixed(2)}× ${pass ? 'PASS' : 'FAIL'}`);
  if (bad) console.log(`correctness: FAIL ${JSON.stringify(bad)}`);
  const warnings = logLines.filter((l) => JSON.parse(l).level >= 40);
  if (warnings.length) console.log(`\n${warnings.length} warning(s) from the kernel:\n${warnings.slice(0, 5).join('')}`);
  const artifacts = join(root, 'test', 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(
    join(artifacts, 'bench-git-monitor.json'),
    `${JSON.stringify({ machine: machine(), commits: COMMITS, rounds: ROUNDS, generateMs: genMs, logBytes: logProbe.bytes, baselineMs: baseline, importMs: first, againMs: second, medians: { baseline: base, import: ours, again }, ratio, target: TARGET, pass, correctness: bad ?? 'ok' }, null, 2)}\n`,
  );
  process.exitCode = pass ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
