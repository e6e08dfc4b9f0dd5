// The write side of the rollups. Increments are gathered in memory during one `apply` — one vector
// of every metric per project and hour — and written at its end: one upsert per (hour, project)
// and per (day, project) row, one read-modify-write per day histogram blob. So a batch of 500
// events costs a few dozen statements whatever its mix.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { bucketStart } from './buckets.js';
import { binOf } from './percentile.js';

/** The summable metrics: the columns of `metrics__bucket`. */
export const ROLLUP_METRICS = [
  'activeMs', 'commits', 'reverts', 'linesAdded', 'linesRemoved', 'linesChanged', 'filesTouched', 'aiAssistedCommits', 'aiLinesAdded',
  'testRuns', 'testFailures', 'buildRuns', 'buildFailures', 'buildMs', 'aiSessionMs', 'aiTokens', 'deploys', 'deploysFailed', 'deployments', 'changes', 'restores',
] as const;
export type RollupMetric = (typeof ROLLUP_METRICS)[number];
/** The sampled durations: exact samples plus log-scaled histogram bins per hour and day. */
export type HistMetric = 'testMs' | 'buildMs' | 'leadMs' | 'restoreMs';

const INDEX = Object.fromEntries(ROLLUP_METRICS.map((m, i) => [m, i])) as Record<RollupMetric, number>;
const COLUMNS = ROLLUP_METRICS.map((m) => `"${m}"`);

/** Day histogram rows kept decoded in memory before the cache is emptied. */
const MAX_STORED_BINS = 256;

interface Acc {
  project: number;
  start: number;
  v: Float64Array;
}

interface Bins {
  metric: HistMetric;
  project: number;
  start: number;
  bins: Map<number, number>;
}

/** Histogram bins as stored: little-endian uint32 pairs (bin, count), by bin. */
export function encodeBins(bins: Map<number, number>): Buffer {
  const keys = [...bins.keys()].filter((k) => bins.get(k)! > 0).sort((a, b) => a - b);
  const buf = Buffer.allocUnsafe(keys.length * 8);
  for (let i = 0; i < keys.length; i++) {
    buf.writeUInt32LE(keys[i]!, i * 8);
    buf.writeUInt32LE(bins.get(keys[i]!)!, i * 8 + 4);
  }
  return buf;
}

/** Add stored bins into `into`. */
export function decodeBins(buf: Uint8Array, into: Map<number, number>): Map<number, number> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i + 8 <= b.length; i += 8) {
    const bin = b.readUInt32LE(i);
    into.set(bin, (into.get(bin) ?? 0) + b.readUInt32LE(i + 4));
  }
  return into;
}

export class Rollups {
  private readonly s: Record<'bucket' | 'bins' | 'setBins' | 'active' | 'sample' | 'rework', SqlStatement>;
  private readonly hours = new Map<string, Acc>();
  /** The hour vector each project used last: most increments of a batch land in it. */
  private readonly recent = new Map<number, Acc>();
  private readonly hist = new Map<string, Bins>();
  /** The stored bins of the day rows written lately, decoded (kept across batches while the fold continues: see `forget`). */
  private readonly storedBins = new Map<string, Map<number, number>>();
  private readonly active = new Map<string, [string, number, number, number, number]>();
  private readonly rework = new Map<string, [number, number, number]>();

  constructor(db: SqlDatabase, readonly offsetMs: number) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      bucket: p(
        `INSERT INTO metrics__bucket (kind, start, project, ${COLUMNS.join(', ')}) VALUES (?, ?, ?, ${COLUMNS.map(() => '?').join(', ')}) ` +
          `ON CONFLICT (kind, start, project) DO UPDATE SET ${COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
      ),
      bins: p('SELECT bins FROM metrics__bins WHERE kind = ? AND start = ? AND metric = ? AND project = ?'),
      setBins: p('INSERT INTO metrics__bins (kind, start, metric, project, bins) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, start, metric, project) DO UPDATE SET bins = excluded.bins'),
      active: p('INSERT INTO metrics__active_by (dim, start, project, label, ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dim, start, project, label) DO UPDATE SET ms = ms + excluded.ms'),
      sample: p('INSERT INTO metrics__sample (metric, project, ts, v) VALUES (?, ?, ?, ?)'),
      rework: p('INSERT INTO metrics__rework (start, project, n) VALUES (?, ?, ?) ON CONFLICT (start, project) DO UPDATE SET n = n + excluded.n'),
    };
  }

  /** Add `v` to `metric` in the hour (and so the day) holding `ts`. */
  add(project: number, metric: RollupMetric, ts: number, v: number): void {
    if (v) this.acc(project, bucketStart('h', ts, this.offsetMs)).v[INDEX[metric]]! += v;
  }

  /** Add `v` to `metric` in the hour starting at `hourStart`. */
  addHour(project: number, hourStart: number, metric: RollupMetric, v: number): void {
    if (v) this.acc(project, hourStart).v[INDEX[metric]]! += v;
  }

  /** Active time of a branch ('b') or issue ('i') label in one hour. */
  addActive(project: number, dim: 'b' | 'i', hourStart: number, label: number, ms: number): void {
    const key = `${project}|${dim}|${hourStart}|${label}`;
    const row = this.active.get(key);
    if (row) row[4] += ms;
    else this.active.set(key, [dim, hourStart, project, label, ms]);
  }

  /**
   * AI lines reworked, credited to the hour of the AI commit that added them. Kept apart from the
   * bucket rows: these land in past hours all over the rework window, and a narrow row is cheap.
   */
  addRework(project: number, ts: number, n: number): void {
    const start = bucketStart('h', ts, this.offsetMs);
    const key = `${project}:${start}`;
    const row = this.rework.get(key);
    if (row) row[2] += n;
    else this.rework.set(key, [start, project, n]);
  }

  /** A duration sample: stored as is (exact percentiles) and binned per day (long windows). */
  sample(project: number, metric: HistMetric, ts: number, v: number): void {
    this.s.sample.run(metric, project, ts, v);
    this.bin(project, metric, ts, v);
  }

  /** Bin a duration whose exact value is kept elsewhere (test runs and builds: metrics__run). */
  bin(project: number, metric: HistMetric, ts: number, v: number): void {
    const start = bucketStart('d', ts, this.offsetMs);
    const key = `${metric}|${project}|${start}`;
    let h = this.hist.get(key);
    if (!h) this.hist.set(key, (h = { metric, project, start, bins: new Map() }));
    const bin = binOf(v);
    h.bins.set(bin, (h.bins.get(bin) ?? 0) + 1);
  }

  /** Write what was gathered: hour rows, the day rows they add up to, histogram blobs, active time by label. */
  flush(): void {
    const days = new Map<string, Acc>();
    for (const a of this.hours.values()) {
      if (!a.v.some((x) => x !== 0)) continue;
      this.s.bucket.run('h', a.start, a.project, ...a.v);
      const start = bucketStart('d', a.start, this.offsetMs);
      const key = `${a.project}:${start}`;
      const d = days.get(key);
      if (d) for (let i = 0; i < a.v.length; i++) d.v[i]! += a.v[i]!;
      else days.set(key, { project: a.project, start, v: a.v.slice() });
    }
    for (const d of days.values()) this.s.bucket.run('d', d.start, d.project, ...d.v);
    for (const d of this.hist.values()) this.mergeBins(d);
    for (const r of this.active.values()) if (r[4]) this.s.active.run(...r);
    for (const r of this.rework.values()) if (r[2]) this.s.rework.run(...r);
    this.discard();
  }

  /** Forget what was gathered (the batch failed). */
  discard(): void {
    this.hours.clear();
    this.recent.clear();
    this.hist.clear();
    this.active.clear();
    this.rework.clear();
  }

  private acc(project: number, start: number): Acc {
    const r = this.recent.get(project);
    if (r && r.start === start) return r;
    const key = `${project}:${start}`;
    let a = this.hours.get(key);
    if (!a) this.hours.set(key, (a = { project, start, v: new Float64Array(ROLLUP_METRICS.length) }));
    this.recent.set(project, a);
    return a;
  }

  private mergeBins(b: Bins): void {
    const key = `${b.metric}|${b.project}|${b.start}`;
    let stored = this.storedBins.get(key);
    if (!stored) {
      const row = this.s.bins.get('d', b.start, b.metric, b.project) as { bins: Uint8Array } | undefined;
      stored = row ? decodeBins(row.bins, new Map()) : new Map();
      if (this.storedBins.size >= MAX_STORED_BINS) this.storedBins.clear();
      this.storedBins.set(key, stored);
    }
    for (const [bin, n] of b.bins) stored.set(bin, (stored.get(bin) ?? 0) + n);
    this.s.setBins.run('d', b.start, b.metric, b.project, encodeBins(stored));
  }

  /** Drop the cache of stored bins (the tables may have changed behind it). */
  forget(): void {
    this.storedBins.clear();
  }
}
