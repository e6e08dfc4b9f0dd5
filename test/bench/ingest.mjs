#!/usr/bin/env node
// Ingest benchmark: events/s from ctx.events.emit through the hook chain, the bus and the batched
// EventWriter into the event log, against raw better-sqlite3 batched inserts of the same rows into
// the same schema, measured side by side in one process (numbers drift on shared machines, so only
// the ratio within one run means anything). `npm run bench` builds, then runs this and the MCP
// benchmark (test/bench/run.mjs); docs/performance.md explains the method and holds the results.
//
// Usage: node test/bench/ingest.mjs [--events N] [--rounds R] [--batch B] [--chunk C] [--only V,...]
//   (or BENCH_EVENTS, BENCH_ROUNDS, BENCH_BATCH, BENCH_CHUNK). Exits 1 when kernel/raw < 0.6.
//   --only raw|kernel|kernel+hooks runs a subset (to profile one path with node --cpu-prof); the
//   gate then applies only when both raw and kernel ran.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { uuidv7 } from 'uuidv7';
import { Kernel } from '@devflow/core';
import { definePlugin } from '@devflow/plugin-sdk';
import { createRootLogger } from '../../core/dist/src/logger.js';
import { openDatabase } from '../../core/dist/src/storage/database.js';
import { fmtInt, gc, machine, median, table } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: process.env.BENCH_EVENTS ?? '100000' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '7' },
    batch: { type: 'string', default: process.env.BENCH_BATCH ?? '500' },
    chunk: { type: 'string', default: process.env.BENCH_CHUNK ?? '10000' },
    only: { type: 'string' },
    out: { type: 'string' }, // default test/artifacts/bench-ingest.json (bench-ingest.only.json with --only)
  },
});
const EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);
const BATCH = Number(args.batch); // storage.batchSize for the kernel, rows per transaction for raw
const CHUNK = Number(args.chunk); // emits between awaits (bounds memory); keep it a multiple of BATCH
const FLUSH_MS = 0; // storage.flushMs (the default: group commit at the end of the turn)
const WARMUP_EVENTS = Math.min(20_000, EVENTS);
const TARGET = 0.6;

// The row every variant stores: same type, source, project, severity and data.
const SOURCE = 'bench';
const TYPE = 'bench.file.changed';
const PROJECT = '/home/dev/projects/webapp';
const INSERT_SQL = 'INSERT INTO events (id, ts, type, source, project, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)';
const FILES = ['src/components/Button.tsx', 'src/components/Modal.tsx', 'src/hooks/useAuth.ts', 'src/pages/index.tsx', 'README.md'];
const makeData = (i) => ({
  path: FILES[i % FILES.length],
  language: 'typescript',
  bytes: 1234 + (i % 977),
  linesAdded: 12 + (i % 7),
  linesRemoved: 3 + (i % 5),
  editor: 'vscode',
});

// Warnings or errors from the kernel are unexpected here; keep them and show them at the end.
const logLines = [];
const logger = createRootLogger({ level: 'warn', destination: { write: (chunk) => void logLines.push(chunk) } });

const tempDir = () => mkdtempSync(join(tmpdir(), 'devflow-bench-'));

function countRows(dbPath) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const { n } = db.prepare('SELECT count(*) AS n FROM events WHERE type = ?').get(TYPE);
    const sample = db.prepare('SELECT type, source, project, severity, data FROM events WHERE type = ? ORDER BY seq LIMIT 1 OFFSET 7').get(TYPE);
    return { n, sample };
  } finally {
    db.close();
  }
}

/** Raw better-sqlite3: same schema (the kernel's openDatabase), same rows, same batch size. */
function runRaw(n) {
  const dir = tempDir();
  const dbPath = join(dir, 'devflow.db');
  try {
    const db = openDatabase(dbPath);
    const insert = db.prepare(INSERT_SQL);
    const writeBatch = db.transaction((rows) => {
      for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    });
    gc();
    const t0 = performance.now();
    let batch = [];
    for (let i = 0; i < n; i++) {
      batch.push([uuidv7(), Date.now(), TYPE, SOURCE, PROJECT, 'info', JSON.stringify(makeData(i))]);
      if (batch.length === BATCH) {
        writeBatch(batch);
        batch = [];
      }
    }
    if (batch.length) writeBatch(batch);
    const ms = performance.now() - t0;
    db.close();
    return { ms, ...countRows(dbPath) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A realistic redaction tap: drops secret-looking fields (none in these rows, so rows stay equal). */
const SECRET = /token|secret|password|api[-_]?key/i;
function redact(event) {
  let data;
  for (const k of Object.keys(event.data)) {
    if (SECRET.test(k)) (data ??= { ...event.data })[k] = '[redacted]';
  }
  return data ? { ...event, data } : event;
}

/** The kernel: a plugin emits through ctx.events.emit; the rate counts committed events only. */
async function runKernel(n, { hooks }) {
  const dir = tempDir();
  const dbPath = join(dir, 'devflow.db');
  let ctx;
  const seen = new Map();
  const plugin = definePlugin({
    id: 'bench',
    version: '1.0.0',
    kernel: '^1.0.0',
    start(c) {
      ctx = c;
      if (hooks) {
        c.hooks.tap('eventBeforeStore', redact);
        c.events.on('*', (e) => void seen.set(e.type, (seen.get(e.type) ?? 0) + 1));
      }
    },
  });
  try {
    const kernel = Kernel.open({
      plugins: [plugin],
      config: { storage: { batchSize: BATCH, flushMs: FLUSH_MS } },
      databasePath: dbPath,
      logger,
      env: { ...process.env, DEVFLOW_HOME: dir },
      cwd: dir,
      watchConfig: false,
    });
    const report = await kernel.start();
    if (report.problems.length) throw new Error(`bench plugin did not start: ${report.problems.map((p) => p.message).join('; ')}`);
    kernel.flush();
    gc();
    const t0 = performance.now();
    let acks = [];
    let committed = 0;
    for (let i = 0; i < n; i++) {
      acks.push(ctx.events.emit(TYPE, makeData(i), { project: PROJECT }));
      if (acks.length === CHUNK) {
        committed += (await Promise.all(acks)).length;
        acks = [];
      }
    }
    committed += (await Promise.all(acks)).length;
    const ms = performance.now() - t0;
    await kernel.stop();
    if (committed !== n) throw new Error(`only ${committed} of ${n} emits acknowledged`);
    if (hooks && seen.get(TYPE) !== n) throw new Error(`the '*' listener saw ${seen.get(TYPE)} of ${n} events`);
    return { ms, ...countRows(dbPath) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ALL_VARIANTS = [
  { name: 'raw', label: 'raw better-sqlite3', run: (n) => runRaw(n) },
  { name: 'kernel', label: 'kernel emit → log', run: (n) => runKernel(n, { hooks: false }) },
  { name: 'kernel+hooks', label: 'kernel + 1 tap + 1 "*" listener', run: (n) => runKernel(n, { hooks: true }) },
];
const only = args.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !ALL_VARIANTS.some((v) => v.name === name));
if (unknown?.length) throw new Error(`--only: unknown variant(s) ${unknown.join(', ')}; use ${ALL_VARIANTS.map((v) => v.name).join(', ')}`);
const VARIANTS = only ? ALL_VARIANTS.filter((v) => only.includes(v.name)) : ALL_VARIANTS;
const OUT = args.out ?? join(root, 'test', 'artifacts', only ? 'bench-ingest.only.json' : 'bench-ingest.json');
const gated = VARIANTS.some((v) => v.name === 'raw') && VARIANTS.some((v) => v.name === 'kernel');

async function measure(variant, n) {
  const r = await variant.run(n);
  if (r.n !== n) throw new Error(`${variant.name}: ${r.n} rows in the log, expected ${n}`);
  return r;
}

const started = performance.now();
const info = machine();
console.log(`ingest benchmark: ${fmtInt(EVENTS)} events × ${ROUNDS} rounds, batch ${BATCH}, flushMs ${FLUSH_MS}, await every ${fmtInt(CHUNK)}`);
console.log(`${info.date}  node ${info.node}  ${info.cpu} × ${info.cores} cores\n`);

// Warm-up: JIT every path once; not recorded. Also checks that every variant stores the same row.
const samples = {};
for (const v of VARIANTS) samples[v.name] = JSON.stringify((await measure(v, WARMUP_EVENTS)).sample);
for (const v of VARIANTS) {
  if (samples.raw && samples[v.name] !== samples.raw) throw new Error(`${v.name} stores a different row than raw:\n  ${samples[v.name]}\n  ${samples.raw}`);
}

// Alternate the variants, rotating the order every round so no variant always runs first.
const runs = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
  const line = [];
  for (const v of order) {
    const { ms } = await measure(v, EVENTS);
    const rate = (EVENTS / ms) * 1000;
    runs[v.name].push({ round: round + 1, ms: Math.round(ms * 10) / 10, eventsPerSec: Math.round(rate) });
    line.push(`${v.name} ${fmtInt(rate)}/s`);
  }
  console.log(`round ${round + 1}: ${line.join(', ')}`);
}

const medianRate = Object.fromEntries(VARIANTS.map((v) => [v.name, median(runs[v.name].map((r) => r.eventsPerSec))]));
// Per-round ratios (each against the raw run of the same round) are less sensitive to drift.
const hasRaw = 'raw' in medianRate;
const roundRatio = (name) => (hasRaw ? median(runs[name].map((r, i) => r.eventsPerSec / runs.raw[i].eventsPerSec)) : NaN);
const round3 = (x) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const summary = VARIANTS.map((v) => {
  const rates = runs[v.name].map((r) => r.eventsPerSec);
  const m = medianRate[v.name];
  return {
    variant: v.name,
    label: v.label,
    medianEventsPerSec: m,
    minEventsPerSec: Math.min(...rates),
    maxEventsPerSec: Math.max(...rates),
    usPerEvent: Math.round((1e6 / m) * 100) / 100,
    overheadUsPerEvent: hasRaw ? Math.round((1e6 / m - 1e6 / medianRate.raw) * 100) / 100 : null,
    ratioToRaw: round3(m / medianRate.raw),
    medianRoundRatio: round3(roundRatio(v.name)),
  };
});

console.log(`\n${table(
  ['variant', 'median ev/s', 'min', 'max', 'µs/event', '+µs vs raw', '× raw'],
  summary.map((s) => [s.label, fmtInt(s.medianEventsPerSec), fmtInt(s.minEventsPerSec), fmtInt(s.maxEventsPerSec), s.usPerEvent.toFixed(2), s.overheadUsPerEvent?.toFixed(2) ?? '-', s.ratioToRaw?.toFixed(3) ?? '-']),
)}`);

const ratio = gated ? medianRate.kernel / medianRate.raw : NaN;
const pass = gated ? ratio >= TARGET : null;
const seconds = Math.round((performance.now() - started) / 100) / 10;
if (gated) {
  console.log(`\nkernel/raw median ratio ${ratio.toFixed(3)} (median of per-round ratios ${roundRatio('kernel').toFixed(3)}); target ≥ ${TARGET}: ${pass ? 'PASS' : 'FAIL'}  (${seconds} s)`);
} else {
  console.log(`\n--only ${args.only}: no kernel/raw ratio, no gate  (${seconds} s)`);
}
if (logLines.length) console.log(`\nkernel logged ${logLines.length} warning/error line(s):\n${logLines.join('').slice(0, 4000)}`);

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  `${JSON.stringify(
    {
      benchmark: 'ingest',
      machine: info,
      config: { events: EVENTS, rounds: ROUNDS, warmupEvents: WARMUP_EVENTS, batchSize: BATCH, flushMs: FLUSH_MS, awaitEvery: CHUNK, row: { type: TYPE, source: SOURCE, project: PROJECT, data: makeData(0) } },
      target: { metric: 'median kernel events/s ÷ median raw events/s', min: TARGET },
      variants: VARIANTS.map((v) => v.name),
      ratio: round3(ratio),
      pass,
      summary,
      runs,
      kernelLogLines: logLines.length,
      seconds,
    },
    null,
    2,
  )}\n`,
);
console.log(`results: ${OUT}`);
process.exit(pass === false ? 1 : 0);
