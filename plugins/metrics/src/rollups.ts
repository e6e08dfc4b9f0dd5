// The write side of the rollups: increments gathered during one `apply` (so a batch of events in
// the same hour costs one upsert per bucket) and written at its end with prepared upserts.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { bucketStart, KINDS } from './buckets.js';
import { binOf } from './percentile.js';

type Row = [string, number, number, string, number];

export class Rollups {
  private readonly upRollup: SqlStatement;
  private readonly upHist: SqlStatement;
  private readonly upActive: SqlStatement;
  private readonly insSample: SqlStatement;
  private readonly rollup = new Map<string, Row>();
  private readonly hist = new Map<string, [string, number, number, string, number, number]>();
  private readonly active = new Map<string, [number, string, number, number, number]>();

  constructor(db: SqlDatabase, readonly offsetMs: number) {
    this.upRollup = db.prepare(
      'INSERT INTO metrics__rollup (kind, start, project, metric, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, start, project, metric) DO UPDATE SET value = value + excluded.value',
    );
    this.upHist = db.prepare(
      'INSERT INTO metrics__hist (kind, start, project, metric, bin, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, start, project, metric, bin) DO UPDATE SET n = n + excluded.n',
    );
    this.upActive = db.prepare(
      'INSERT INTO metrics__active_by (project, dim, start, label, ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, dim, start, label) DO UPDATE SET ms = ms + excluded.ms',
    );
    this.insSample = db.prepare('INSERT INTO metrics__sample (metric, project, ts, v) VALUES (?, ?, ?, ?)');
  }

  /** Add `v` to `metric` in the hour, day and week bucket holding `ts`. */
  add(project: number, metric: string, ts: number, v: number): void {
    if (!v) return;
    for (const kind of KINDS) this.addAt(kind, bucketStart(kind, ts, this.offsetMs), project, metric, v);
  }

  /** Add `v` to one bucket (its start already computed). */
  addAt(kind: string, start: number, project: number, metric: string, v: number): void {
    if (!v) return;
    const key = `${kind}|${start}|${project}|${metric}`;
    const row = this.rollup.get(key);
    if (row) row[4] += v;
    else this.rollup.set(key, [kind, start, project, metric, v]);
  }

  /** Active time of a branch or issue label in one hour bucket. */
  addActive(project: number, dim: 'b' | 'i', hourStart: number, label: number, ms: number): void {
    const key = `${project}|${dim}|${hourStart}|${label}`;
    const row = this.active.get(key);
    if (row) row[4] += ms;
    else this.active.set(key, [project, dim, hourStart, label, ms]);
  }

  /** A duration sample: kept as is (exact percentiles) and binned per bucket (long windows). */
  sample(project: number, metric: string, ts: number, v: number): void {
    this.insSample.run(metric, project, ts, v);
    const bin = binOf(v);
    for (const kind of KINDS) {
      const start = bucketStart(kind, ts, this.offsetMs);
      const key = `${kind}|${start}|${project}|${metric}|${bin}`;
      const row = this.hist.get(key);
      if (row) row[5] += 1;
      else this.hist.set(key, [kind, start, project, metric, bin, 1]);
    }
  }

  /** Write what was gathered. */
  flush(): void {
    for (const r of this.rollup.values()) if (r[4]) this.upRollup.run(...r);
    for (const r of this.hist.values()) this.upHist.run(...r);
    for (const r of this.active.values()) if (r[4]) this.upActive.run(...r);
    this.rollup.clear();
    this.hist.clear();
    this.active.clear();
  }

  /** Forget what was gathered (the batch failed). */
  discard(): void {
    this.rollup.clear();
    this.hist.clear();
    this.active.clear();
  }
}
