// Low-level reads of metrics' tables: rollup sums over a window, series, percentiles, active time
// by branch and issue. Every read is an indexed range over at most a few hundred bucket rows
// (or ≤ 4,097 samples). A project argument of null means all projects. SQL only; no kernel.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { bucketStart, plan, widen, type BucketKind } from './buckets.js';
import { binOf, histPercentile, percentile } from './percentile.js';
import { decodeBins, ROLLUP_METRICS, type RollupMetric } from './rollups.js';

/** Above this many samples in a window, percentiles come from the histogram bins. */
export const EXACT_SAMPLES = 4096;
const ANY = '(? IS NULL OR project = ?)';

export class Reader {
  private readonly s: Record<string, SqlStatement>;
  private readonly seriesOf = new Map<string, SqlStatement>();

  constructor(private readonly db: SqlDatabase, private readonly offsetMs: number) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      projects: p('SELECT id, path FROM metrics__project ORDER BY path'),
      projectId: p('SELECT id FROM metrics__project WHERE path = ?'),
      sums: p(
        `SELECT ${ROLLUP_METRICS.map((m) => `sum("${m}") AS "${m}"`).join(', ')} FROM metrics__bucket WHERE kind = ? AND start >= ? AND start < ? AND ${ANY}`,
      ),
      samples: p(`SELECT v FROM metrics__sample WHERE metric = ? AND ts >= ? AND ts < ? AND ${ANY} LIMIT ${EXACT_SAMPLES + 1}`),
      // Test and build durations are kept on their run rows (kind 1 and 2).
      runMs: p(`SELECT ms AS v FROM metrics__run WHERE ts >= ? AND ts < ? AND kind = ? AND ms IS NOT NULL AND ${ANY} LIMIT ${EXACT_SAMPLES + 1}`),
      edgeSamples: p(`SELECT v FROM metrics__sample WHERE metric = ? AND ts >= ? AND ts < ? AND ${ANY}`),
      edgeRunMs: p(`SELECT ms AS v FROM metrics__run WHERE ts >= ? AND ts < ? AND kind = ? AND ms IS NOT NULL AND ${ANY}`),
      rework: p(`SELECT sum(n) AS n FROM metrics__rework WHERE start >= ? AND start < ? AND ${ANY}`),
      bins: p(`SELECT bins FROM metrics__bins WHERE kind = ? AND start >= ? AND start < ? AND metric = ? AND ${ANY}`),
      active: p(
        `SELECT l.name AS name, sum(a.ms) AS ms FROM metrics__active_by a JOIN metrics__label l ON l.id = a.label
         WHERE a.dim = ? AND a.start >= ? AND a.start < ? AND (? IS NULL OR a.project = ?) GROUP BY a.label HAVING ms > 0 ORDER BY ms DESC, name LIMIT ?`,
      ),
      lastOk: p('SELECT ts AS t FROM metrics__run WHERE ts >= ? AND ts < ? AND project = ? AND kind = 1 AND ok = 1 ORDER BY ts DESC LIMIT 1'),
      failedAfter: p('SELECT count(*) AS n FROM metrics__run WHERE ts >= ? AND ts < ? AND project = ? AND kind = 1 AND ok = 0'),
      flaky: p(`SELECT name, count(*) AS n FROM metrics__flip WHERE ts >= ? AND ts < ? AND ${ANY} GROUP BY name HAVING n >= ? ORDER BY n DESC, name LIMIT ?`),
      // Coverage samples: the last stored one counts for a millisecond with several (as a replace would).
      covLast: p('SELECT cov AS pct FROM metrics__run WHERE ts >= ? AND ts < ? AND project = ? AND cov IS NOT NULL ORDER BY ts DESC, seq DESC LIMIT 1'),
      covFirst: p('SELECT cov AS pct FROM metrics__run WHERE ts >= ? AND ts < ? AND project = ? AND cov IS NOT NULL ORDER BY ts, seq DESC LIMIT 1'),
      covCount: p('SELECT count(*) AS n FROM (SELECT DISTINCT ts FROM metrics__run WHERE ts >= ? AND ts < ? AND project = ? AND cov IS NOT NULL LIMIT 2)'),
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
      const row = this.s.sums!.get(r.kind, r.from, r.to, project, project) as Record<string, number | null>;
      for (const m of ROLLUP_METRICS) if (row[m]) out.set(m, (out.get(m) ?? 0) + (row[m] as number));
    }
    const { from, to } = this.window(since, until);
    const reworked = (this.s.rework!.get(from, to, project, project) as { n: number | null }).n;
    if (reworked) out.set('aiLinesReworked', reworked);
    return out;
  }

  /** One metric per bucket start, for bucket starts in [from, to) (weeks: the sum of their days). */
  series(kind: BucketKind, metric: RollupMetric, project: number | null, from: number, to: number): Map<number, number> {
    const stored = kind === 'w' ? 'd' : kind;
    const key = `${stored}|${metric}`;
    let st = this.seriesOf.get(key);
    if (!st) {
      if (!(ROLLUP_METRICS as readonly string[]).includes(metric)) return new Map(); // not a metric: zeros
      st = this.db.prepare(`SELECT start, sum("${metric}") AS v FROM metrics__bucket WHERE kind = '${stored}' AND start >= ? AND start < ? AND ${ANY} GROUP BY start`);
      this.seriesOf.set(key, st);
    }
    // A week bucket holds its whole week: read its days up to the end of the last week starting before `to`.
    const end = kind === 'w' ? bucketStart('w', to - 1, this.offsetMs) + 7 * 86_400_000 : to;
    const out = new Map<number, number>();
    for (const r of st.all(from, end, project, project) as { start: number; v: number }[]) {
      const t = kind === 'w' ? bucketStart('w', r.start, this.offsetMs) : r.start;
      out.set(t, (out.get(t) ?? 0) + r.v);
    }
    return out;
  }

  /**
   * Nearest-rank percentiles of a sampled duration in the window: exact up to EXACT_SAMPLES samples,
   * else from the histogram. The histogram comes first (the day bins of whole days, the hours at either
   * end binned here from their exact samples): it also counts the samples, so a long window never
   * reads thousands of them only to find there are too many.
   */
  percentiles(metric: string, project: number | null, since: number, until: number, ps: readonly number[]): (number | null)[] {
    const kind = metric === 'testMs' ? 1 : metric === 'buildMs' ? 2 : 0;
    const bins = new Map<number, number>();
    const edges: number[] = [];
    let days = false;
    for (const r of plan(since, until, this.offsetMs)) {
      if (r.kind === 'd') {
        days = true;
        for (const b of this.s.bins!.all('d', r.from, r.to, metric, project, project) as { bins: Uint8Array }[]) decodeBins(b.bins, bins);
        continue;
      }
      const edge = (kind ? this.s.edgeRunMs!.all(r.from, r.to, kind, project, project) : this.s.edgeSamples!.all(metric, r.from, r.to, project, project)) as { v: number }[];
      for (const { v } of edge) {
        edges.push(v);
        bins.set(binOf(v), (bins.get(binOf(v)) ?? 0) + 1);
      }
    }
    let n = 0;
    for (const c of bins.values()) n += c;
    if (n > EXACT_SAMPLES) return ps.map((p) => histPercentile([...bins], p));
    let values: ArrayLike<number> = edges;
    if (days) {
      const { from, to } = this.window(since, until);
      const rows = (kind ? this.s.runMs!.all(from, to, kind, project, project) : this.s.samples!.all(metric, from, to, project, project)) as { v: number }[];
      const all = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) all[i] = rows[i]!.v;
      values = all;
    }
    // A typed array sorts numerically without a comparator call per pair.
    const sorted = Float64Array.from(values).sort();
    return ps.map((p) => percentile(sorted, p));
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
      const last = (this.s.lastOk!.get(from, to, id) as { t: number } | undefined)?.t ?? null;
      const n = (this.s.failedAfter!.get(last === null ? from : last + 1, to, id) as { n: number }).n;
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
      const last = this.s.covLast!.get(from, to, id) as { pct: number } | undefined;
      if (!last) continue;
      latest.push(last.pct);
      if ((this.s.covCount!.get(from, to, id) as { n: number }).n < 2) continue;
      deltas.push(last.pct - (this.s.covFirst!.get(from, to, id) as { pct: number }).pct);
    }
    const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);
    return { latest: mean(latest), delta: mean(deltas) };
  }
}
