// Low-level reads of metrics' tables: rollup sums over a window, series, percentiles, active time
// by branch and issue. Every read is an indexed range over at most a few hundred bucket rows
// (or ≤ 4,097 samples). A project argument of null means all projects. SQL only; no kernel.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { plan, widen, type BucketKind } from './buckets.js';
import { histPercentile, percentile } from './percentile.js';

/** Above this many samples in a window, percentiles come from the histogram bins. */
export const EXACT_SAMPLES = 4096;
const ANY = '(? IS NULL OR project = ?)';

export class Reader {
  private readonly s: Record<string, SqlStatement>;

  constructor(db: SqlDatabase, private readonly offsetMs: number) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      projects: p('SELECT id, path FROM metrics__project ORDER BY path'),
      projectId: p('SELECT id FROM metrics__project WHERE path = ?'),
      sums: p(`SELECT metric, sum(value) AS v FROM metrics__rollup WHERE kind = ? AND start >= ? AND start < ? AND ${ANY} GROUP BY metric`),
      series: p(`SELECT start, sum(value) AS v FROM metrics__rollup WHERE kind = ? AND start >= ? AND start < ? AND ${ANY} AND metric = ? GROUP BY start`),
      samples: p(`SELECT v FROM metrics__sample WHERE metric = ? AND ts >= ? AND ts < ? AND ${ANY} LIMIT ${EXACT_SAMPLES + 1}`),
      hist: p(`SELECT bin, sum(n) AS n FROM metrics__hist WHERE kind = ? AND start >= ? AND start < ? AND ${ANY} AND metric = ? GROUP BY bin`),
      active: p(
        `SELECT l.name AS name, sum(a.ms) AS ms FROM metrics__active_by a JOIN metrics__label l ON l.id = a.label
         WHERE a.dim = ? AND a.start >= ? AND a.start < ? AND (? IS NULL OR a.project = ?) GROUP BY a.label HAVING ms > 0 ORDER BY ms DESC, name LIMIT ?`,
      ),
      lastOk: p('SELECT max(ts) AS t FROM metrics__test_run WHERE project = ? AND ok = 1 AND ts >= ? AND ts < ?'),
      failedAfter: p('SELECT count(*) AS n FROM metrics__test_run WHERE project = ? AND ok = 0 AND ts >= ? AND ts < ?'),
      flaky: p(`SELECT name, count(*) AS n FROM metrics__flip WHERE ts >= ? AND ts < ? AND ${ANY} GROUP BY name HAVING n >= ? ORDER BY n DESC, name LIMIT ?`),
      covLast: p('SELECT pct FROM metrics__coverage WHERE project = ? AND ts >= ? AND ts < ? ORDER BY ts DESC LIMIT 1'),
      covFirst: p('SELECT pct FROM metrics__coverage WHERE project = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT 1'),
      covCount: p('SELECT count(*) AS n FROM metrics__coverage WHERE project = ? AND ts >= ? AND ts < ?'),
    };
  }

  /** Project paths known (those that had at least one folded event). */
  projects(): { id: number; path: string }[] {
    return this.s.projects!.all() as { id: number; path: string }[];
  }

  /** The id of a project path; undefined when nothing was recorded for it. */
  projectId(path: string): number | undefined {
    return (this.s.projectId!.get(path) as { id: number } | undefined)?.id;
  }

  /** [since, until) widened to whole hours. */
  window(since: number, until: number): { from: number; to: number } {
    return widen(since, until, this.offsetMs);
  }

  /** Every rollup metric summed over the window (widened to whole hours). */
  sums(project: number | null, since: number, until: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of plan(since, until, this.offsetMs)) {
      for (const row of this.s.sums!.all(r.kind, r.from, r.to, project, project) as { metric: string; v: number }[]) {
        out.set(row.metric, (out.get(row.metric) ?? 0) + row.v);
      }
    }
    return out;
  }

  /** One metric per bucket start, for bucket starts in [from, to). */
  series(kind: BucketKind, metric: string, project: number | null, from: number, to: number): Map<number, number> {
    const rows = this.s.series!.all(kind, from, to, project, project, metric) as { start: number; v: number }[];
    return new Map(rows.map((r) => [r.start, r.v]));
  }

  /** Nearest-rank percentiles of a sampled duration in the window; exact up to EXACT_SAMPLES samples. */
  percentiles(metric: string, project: number | null, since: number, until: number, ps: readonly number[]): (number | null)[] {
    const { from, to } = this.window(since, until);
    const rows = this.s.samples!.all(metric, from, to, project, project) as { v: number }[];
    if (rows.length <= EXACT_SAMPLES) {
      const sorted = rows.map((r) => r.v).sort((a, b) => a - b);
      return ps.map((p) => percentile(sorted, p));
    }
    const bins = new Map<number, number>();
    for (const r of plan(since, until, this.offsetMs)) {
      for (const b of this.s.hist!.all(r.kind, r.from, r.to, project, project, metric) as { bin: number; n: number }[]) bins.set(b.bin, (bins.get(b.bin) ?? 0) + b.n);
    }
    return ps.map((p) => histPercentile([...bins], p));
  }

  /** Active time by branch ('b') or issue key ('i'), most first. */
  activeBy(dim: 'b' | 'i', project: number | null, since: number, until: number, limit: number): { name: string; ms: number }[] {
    const { from, to } = this.window(since, until);
    const rows = this.s.active!.all(dim, from, to, project, project, limit) as { name: string; ms: number }[];
    return rows.map((r) => ({ name: r.name, ms: Math.round(r.ms) }));
  }

  /** Failed test runs since the last passing one in the window (the largest over projects when project is null). */
  failingStreak(project: number | null, since: number, until: number): number {
    const { from, to } = this.window(since, until);
    let best = 0;
    for (const id of project === null ? this.projects().map((p) => p.id) : [project]) {
      const last = (this.s.lastOk!.get(id, from, to) as { t: number | null }).t;
      const n = (this.s.failedAfter!.get(id, last === null ? from : last + 1, to) as { n: number }).n;
      best = Math.max(best, n);
    }
    return best;
  }

  /** Tests with at least `minFlips` pass/fail changes in the window, most first. */
  flaky(project: number | null, since: number, until: number, minFlips: number, limit: number): string[] {
    const { from, to } = this.window(since, until);
    return (this.s.flaky!.all(from, to, project, project, minFlips, limit) as { name: string }[]).map((r) => r.name);
  }

  /** Latest line coverage in the window and its change since the first sample; over all projects, the mean of each project's. */
  coverage(project: number | null, since: number, until: number): { latest: number | null; delta: number | null } {
    const { from, to } = this.window(since, until);
    const latest: number[] = [];
    const deltas: number[] = [];
    for (const id of project === null ? this.projects().map((p) => p.id) : [project]) {
      const last = this.s.covLast!.get(id, from, to) as { pct: number } | undefined;
      if (!last) continue;
      latest.push(last.pct);
      if ((this.s.covCount!.get(id, from, to) as { n: number }).n < 2) continue;
      deltas.push(last.pct - (this.s.covFirst!.get(id, from, to) as { pct: number }).pct);
    }
    const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);
    return { latest: mean(latest), delta: mean(deltas) };
  }
}
