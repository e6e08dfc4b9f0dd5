#!/usr/bin/env node
// file-monitor benchmark: a generated 100k-file tree (~8k directories) in a temp dir, watched by
// (a) raw @parcel/watcher with the same ignore list (the baseline) and (b) the kernel with the file-monitor plugin, each in
// its own child process so RSS is clean, side by side in one run. Optionally (c) raw chokidar.
//
// Measured per variant: time until the watcher is ready, process RSS once ready (after a GC) and
// at the end; for (a) and (b) the latency from a file write to (a) the parcel callback naming the
// file, (b) the committed `file-monitor.file.changed` event (the kernel's eventStored hook), over
// N single changes spaced apart like edits; for (b) a 2,000-file burst, checking every change is
// accounted for (the coalesced events' counts add up, every file appears in exactly one event).
//
// Gates (exit 1 when one is missed): plugin ready ≤ 2 s, RSS ≤ 150 MB and ≤ 2× raw parcel's RSS,
// p50 write→committed event ≤ 100 ms, the burst fully accounted for with at least one bulk event.
//
// Usage: node test/bench/file-monitor.mjs [--files N] [--changes N] [--spacing MS] [--burst N]
//                                        [--with-chokidar] [--keep] [--out FILE]
// (or BENCH_FM_FILES, BENCH_FM_CHANGES, BENCH_FM_SPACING, BENCH_FM_BURST). Needs `npx tsc -b` first.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gc, machine, median, table } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: process.env.BENCH_FM_FILES ?? '100000' },
    changes: { type: 'string', default: process.env.BENCH_FM_CHANGES ?? '60' },
    spacing: { type: 'string', default: process.env.BENCH_FM_SPACING ?? '600' },
    burst: { type: 'string', default: process.env.BENCH_FM_BURST ?? '2000' },
    'with-chokidar': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
    child: { type: 'string' },
    tree: { type: 'string' },
  },
});
const FILES = Number(args.files);
const CHANGES = Number(args.changes);
const SPACING = Number(args.spacing);
const BURST = Number(args.burst);
const FANOUT = 20; // 20 × 20 × 20 leaf directories
const GATES = { readyMs: 2000, rssMb: 150, rssVsParcel: 2, p50Ms: 100 };

const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PER_LEAF = Math.ceil(FILES / FANOUT ** 3);
const LEAVES = Math.ceil(FILES / PER_LEAF);
const leafDir = (l) => join(`pkg${Math.floor(l / FANOUT ** 2)}`, `mod${Math.floor(l / FANOUT) % FANOUT}`, `dir${l % FANOUT}`);
/** The files the latency phase edits: spread over the tree, each in another leaf directory. */
const changePath = (i) => join(leafDir((i * 97 + 3) % LEAVES), 'file0.ts');

function generateTree(dir, files) {
  const per = PER_LEAF;
  let n = 0;
  let dirs = 0;
  for (let a = 0; a < FANOUT && n < files; a++) {
    for (let b = 0; b < FANOUT && n < files; b++) {
      for (let c = 0; c < FANOUT && n < files; c++) {
        const d = join(dir, `pkg${a}`, `mod${b}`, `dir${c}`);
        mkdirSync(d, { recursive: true });
        dirs++;
        for (let i = 0; i < per && n < files; i++, n++) writeFileSync(join(d, `file${i}.ts`), `export const v${n} = ${n};\n`);
      }
    }
  }
  const burstDir = join(dir, 'burst');
  for (let i = 0; i < BURST; i++) {
    if (i % 100 === 0) mkdirSync(join(burstDir, `b${i / 100}`), { recursive: true });
    writeFileSync(join(burstDir, `b${Math.floor(i / 100)}`, `f${i}.ts`), `export const b${i} = ${i};\n`);
  }
  return { files: n + BURST, dirs: dirs + FANOUT + FANOUT ** 2 + 1 + Math.ceil(BURST / 100) };
}

/** Write one change and wait for `seen(rel)` to report it; returns the latency in ms. */
async function measureChanges(tree, waitFor) {
  const latencies = [];
  for (let i = 0; i < CHANGES; i++) {
    const rel = changePath(i);
    const t0 = performance.now();
    const arrived = waitFor(rel);
    writeFileSync(join(tree, rel), `export const changed = ${i};\n// edit ${i}\n`);
    const t1 = await Promise.race([arrived, sleep(5000).then(() => undefined)]);
    latencies.push(t1 === undefined ? Infinity : t1 - t0);
    await sleep(SPACING);
  }
  return latencies;
}

// ---------------------------------------------------------------------------------------------
// child processes

async function childRawParcel(tree) {
  const require = createRequire(join(root, 'plugins', 'file-monitor', 'package.json'));
  const watcher = require('@parcel/watcher');
  // the same ignore the plugin hands parcel (its default directory list as one regex)
  const { IgnoreMatcher } = await import(join(root, 'plugins', 'file-monitor', 'dist', 'src', 'ignore-matcher.js'));
  const ignore = new IgnoreMatcher({ root: tree }).backendIgnore();
  const waiting = new Map();
  gc();
  const rssBefore = rssMb();
  const t0 = performance.now();
  const sub = await watcher.subscribe(
    tree,
    (err, events) => {
      const now = performance.now();
      for (const e of events ?? []) {
        const rel = e.path.slice(tree.length + 1);
        waiting.get(rel)?.(now);
        waiting.delete(rel);
      }
    },
    { ignore: [ignore] },
  );
  const readyMs = performance.now() - t0;
  gc();
  const rssReady = rssMb();
  const latencies = await measureChanges(tree, (rel) => new Promise((resolve) => waiting.set(rel, resolve)));
  gc();
  const rssEnd = rssMb();
  await sub.unsubscribe();
  return { readyMs, rssBefore, rssReady, rssEnd, latencies };
}

async function childWarmUp(tree) {
  const require = createRequire(join(root, 'plugins', 'file-monitor', 'package.json'));
  const sub = await require('@parcel/watcher').subscribe(tree, () => {});
  await sub.unsubscribe();
  return {};
}

async function childRawChokidar(tree) {
  const require = createRequire(join(root, 'plugins', 'file-monitor', 'package.json'));
  const { watch } = await import(require.resolve('chokidar'));
  gc();
  const t0 = performance.now();
  const w = watch(tree, { ignoreInitial: true, followSymlinks: false, ignored: (p) => /[\\/](node_modules|\.git)([\\/]|$)/.test(p) });
  await new Promise((resolve) => w.once('ready', resolve));
  const readyMs = performance.now() - t0;
  gc();
  const rssReady = rssMb();
  await w.close();
  return { readyMs, rssReady, rssEnd: rssReady, latencies: [] };
}

async function childKernel(tree) {
  const { Kernel } = await import('@devflow/core');
  const { createRootLogger } = await import(join(root, 'core', 'dist', 'src', 'logger.js'));
  const fileMonitor = (await import(join(root, 'plugins', 'file-monitor', 'dist', 'src', 'index.js'))).default;
  const home = mkdtempSync(join(tmpdir(), 'devflow-bench-fm-home-'));
  const warnings = [];
  const logger = createRootLogger({ level: 'warn', destination: { write: (chunk) => void warnings.push(chunk.trim()) } });
  const kernel = Kernel.open({
    plugins: [fileMonitor],
    config: { projects: [tree], plugins: { 'file-monitor': { config: {} } }, kernel: { watchConfig: false } },
    databasePath: join(home, 'devflow.db'),
    logger,
    cwd: home,
    env: { ...process.env, DEVFLOW_HOME: home },
    watchConfig: false,
  });
  const waiting = new Map();
  const committed = [];
  kernel.hooks.tap('eventStored', 'bench', (batch) => {
    const now = performance.now();
    for (const e of batch) {
      if (!e.type.startsWith('file-monitor.')) continue;
      committed.push(e);
      if (e.type === 'file-monitor.file.changed') {
        waiting.get(e.data.path)?.(now);
        waiting.delete(e.data.path);
      }
    }
  });
  try {
    gc();
    const rssBefore = rssMb();
    const t0 = performance.now();
    await kernel.start();
    const api = kernel.pluginApi('file-monitor');
    await api.ready();
    const readyMs = performance.now() - t0;
    for (let i = 0; i < 100 && !committed.some((e) => e.type === 'file-monitor.watch.started'); i++) await sleep(10);
    const started = committed.find((e) => e.type === 'file-monitor.watch.started');
    gc();
    const rssReady = rssMb();

    const latencies = await measureChanges(tree, (rel) => new Promise((resolve) => waiting.set(rel, resolve)));
    await api.idle();

    // the burst: rewrite BURST existing files as fast as the disk allows (a formatter run)
    const before = committed.length;
    const statsBefore = { ...api.stats()[tree] };
    const tb = performance.now();
    for (let i = 0; i < BURST; i++) writeFileSync(join(tree, 'burst', `b${Math.floor(i / 100)}`, `f${i}.ts`), `export const b${i} = ${i} + 1;\n`);
    const writeMs = performance.now() - tb;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await sleep(100);
      await api.idle();
      const s = api.stats()[tree];
      if (s.accounted === s.received + s.synthesized && s.received - statsBefore.received >= BURST) break;
    }
    const burstMs = performance.now() - tb;
    const s = api.stats()[tree];
    const events = committed.slice(before);
    const single = events.filter((e) => e.type === 'file-monitor.file.changed' || e.type === 'file-monitor.file.renamed');
    const bulks = events.filter((e) => e.type === 'file-monitor.files.bulk-changed');
    const burstFiles = new Set(single.map((e) => e.data.path ?? e.data.to));
    const filesInEvents = bulks.reduce((n, e) => n + e.data.files, 0) + single.length;
    const counted = bulks.reduce((n, e) => n + e.data.count, 0) + single.reduce((n, e) => n + e.data.count, 0);
    const burst = {
      files: BURST,
      writeMs,
      settledMs: burstMs,
      events: events.length,
      bulkEvents: bulks.length,
      singleEvents: single.length,
      filesInEvents,
      burstFilesInSingles: burstFiles.size,
      received: s.received - statsBefore.received,
      counted,
      transient: s.transient - statsBefore.transient,
      duplicate: s.duplicate - statsBefore.duplicate,
      accountedAll: s.accounted === s.received + s.synthesized,
    };
    gc();
    const rssEnd = rssMb();
    return { readyMs, pluginReadyMs: started?.data.readyMs, backend: started?.data.backend, rssBefore, rssReady, rssEnd, latencies, burst, warnings: warnings.slice(0, 5) };
  } finally {
    await kernel.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

if (args.child) {
  const run = { 'warm-up': childWarmUp, 'raw-parcel': childRawParcel, 'raw-chokidar': childRawChokidar, kernel: childKernel }[args.child];
  const result = await run(args.tree);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// parent

function runChild(mode, tree) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', mode, '--tree', tree, '--files', String(FILES), '--changes', String(CHANGES), '--spacing', String(SPACING), '--burst', String(BURST)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) return reject(new Error(`${mode} child exited ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(line));
    });
  });
}

const pct = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))];
};
const f1 = (n) => (n === undefined ? '–' : Number.isFinite(n) ? n.toFixed(1) : 'lost');

const started = Date.now();
const tree = mkdtempSync(join(tmpdir(), 'devflow-bench-fm-tree-'));
let exitCode = 0;
try {
  const tg = performance.now();
  const shape = generateTree(tree, FILES);
  console.log(`tree: ${shape.files.toLocaleString('en-US')} files in ~${shape.dirs.toLocaleString('en-US')} directories under ${tree} (generated in ${((performance.now() - tg) / 1000).toFixed(1)} s)`);
  console.log(`latency: ${CHANGES} single-file edits, ${SPACING} ms apart; burst: ${BURST} files rewritten at once\n`);

  // one untimed pass first, so neither measured variant pays for a cold directory cache
  await runChild('warm-up', tree);
  const parcel = await runChild('raw-parcel', tree);
  const kernel = await runChild('kernel', tree);
  const chokidar = args['with-chokidar'] ? await runChild('raw-chokidar', tree) : undefined;

  const rows = [
    ['raw @parcel/watcher', f1(parcel.readyMs), f1(parcel.rssReady), f1(parcel.rssEnd), f1(median(parcel.latencies)), f1(pct(parcel.latencies, 0.9)), f1(Math.max(...parcel.latencies))],
    [`kernel + file-monitor (${kernel.backend})`, f1(kernel.readyMs), f1(kernel.rssReady), f1(kernel.rssEnd), f1(median(kernel.latencies)), f1(pct(kernel.latencies, 0.9)), f1(Math.max(...kernel.latencies))],
  ];
  if (chokidar) rows.push(['raw chokidar 5', f1(chokidar.readyMs), f1(chokidar.rssReady), f1(chokidar.rssEnd), '–', '–', '–']);
  console.log(table(['variant', 'ready ms', 'RSS ready MB', 'RSS end MB', 'p50 ms', 'p90 ms', 'max ms'], rows));
  console.log(`\nkernel alone before start: ${f1(kernel.rssBefore)} MB RSS; the plugin's own watcher start: ${kernel.pluginReadyMs} ms`);
  const b = kernel.burst;
  console.log(
    `burst: ${b.files} files written in ${f1(b.writeMs)} ms → ${b.events} events (${b.bulkEvents} bulk, ${b.singleEvents} single) covering ${b.filesInEvents} files; ` +
      `${b.received} notifications = ${b.counted} counted in events + ${b.transient} transient + ${b.duplicate} duplicate; settled after ${f1(b.settledMs)} ms`,
  );

  const p50 = median(kernel.latencies);
  const checks = [
    ['watcher ready ≤ 2 s', kernel.readyMs <= GATES.readyMs, `${f1(kernel.readyMs)} ms`],
    ['RSS ≤ 150 MB', kernel.rssReady <= GATES.rssMb && kernel.rssEnd <= GATES.rssMb, `${f1(kernel.rssReady)} / ${f1(kernel.rssEnd)} MB`],
    [`RSS ≤ ${GATES.rssVsParcel}× raw parcel`, kernel.rssReady <= GATES.rssVsParcel * parcel.rssReady, `${(kernel.rssReady / parcel.rssReady).toFixed(2)}×`],
    ['p50 write → committed event ≤ 100 ms', p50 <= GATES.p50Ms && kernel.latencies.every(Number.isFinite), `${f1(p50)} ms (raw parcel ${f1(median(parcel.latencies))} ms)`],
    [
      'burst: every change accounted for',
      b.accountedAll && b.filesInEvents === b.files && b.counted + b.transient + b.duplicate === b.received && b.bulkEvents >= 1,
      `${b.filesInEvents}/${b.files} files, ${b.counted + b.transient + b.duplicate}/${b.received} notifications`,
    ],
  ];
  console.log(`\n${table(['gate', 'ok', 'measured'], checks.map(([g, ok, m]) => [g, ok ? 'PASS' : 'FAIL', m]))}`);
  if (kernel.warnings.length) console.log(`\nkernel warnings (first ${kernel.warnings.length}):\n${kernel.warnings.join('\n')}`);
  exitCode = checks.every((c) => c[1]) ? 0 : 1;

  const out = args.out ?? join(root, 'test', 'artifacts', 'bench-file-monitor.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ machine: machine(), params: { files: shape.files, dirs: shape.dirs, changes: CHANGES, spacingMs: SPACING, burst: BURST }, gates: GATES, parcel, kernel, chokidar, checks: checks.map(([gate, ok, measured]) => ({ gate, ok, measured })), seconds: (Date.now() - started) / 1000 }, null, 2)}\n`,
  );
  console.log(`\nresults: ${out}; ${((Date.now() - started) / 1000).toFixed(1)} s in all; ${exitCode ? 'FAIL' : 'PASS'}`);
} finally {
  if (!args.keep) rmSync(tree, { recursive: true, force: true });
}
process.exit(exitCode);
