// The plugin's answers (its API and the tools' data): summary, DORA, series and single values,
// all from the rollups and small indexed tables. No kernel imports.
import { bucketSize, bucketStart, WEEK, type BucketKind } from './buckets.js';
import type { Settings } from './config.js';
import { ratio } from './percentile.js';
import type { Reader } from './reader.js';

export interface MetricsQuery {
  /** A project path as in events' `project`; null or omitted: all projects. */
  project?: string | null;
  since: number;
  until: number;
}

export interface MetricsSummary {
  project: string | null;
  since: number;
  until: number;
  activeMs: number;
  commits: number;
  linesAdded: number;
  linesRemoved: number;
  filesTouched: number;
  tests: { runs: number; passed: number; failed: number; passRate: number | null; failingStreak: number; flaky: string[]; p50Ms: number | null };
  coverage: { latest: number | null; delta: number | null };
  builds: { runs: number; failed: number; p50Ms: number | null };
  churn: { linesChanged: number; revertRate: number | null };
  ai: { assistedCommits: number; assistedShare: number | null; sessionMs: number; tokens: number; tokensPerCommit: number | null; reworkShare: number | null };
}

export interface DoraMetrics {
  deploymentFrequencyPerWeek: number;
  deployments: number;
  leadTimeMs: { p50: number | null; p90: number | null };
  changeFailureRate: number | null;
  timeToRestoreMs: { p50: number | null };
  sample: { changes: number; failedDeployments: number; restores: number };
}

export const SERIES_METRICS = ['activeMs', 'commits', 'testRuns', 'testFailures', 'buildMs', 'deployments', 'aiSessionMs', 'linesChanged'] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];
export type SeriesBucket = 'hour' | 'day' | 'week';
/** Most points one series returns; a longer range keeps its latest buckets. */
export const MAX_POINTS = 2000;
const KIND: Record<SeriesBucket, BucketKind> = { hour: 'h', day: 'd', week: 'w' };

/** A project path as stored: trailing separators dropped. */
export function normalizeProject(path: string): string {
  return path.length > 1 ? path.replace(/[\\/]+$/, '') || path : path;
}

export class Queries {
  constructor(private readonly reader: Reader, private readonly settings: Settings) {}

  /** undefined: all projects; null: a project nothing was recorded for; else its id. */
  resolve(project: string | null | undefined): number | null | undefined {
    if (project === null || project === undefined || project === '') return undefined;
    return this.reader.projectId(normalizeProject(project)) ?? null;
  }

  /** Whether anything was recorded for the project (or for any, when omitted). */
  known(project: string | null | undefined): boolean {
    const id = this.resolve(project);
    return id === undefined ? this.reader.projects().length > 0 : id !== null;
  }

  /**
   * The numbers of a window. `details: false` skips what only a full summary shows (test and build
   * p50, failing streak, flaky tests, coverage: answered as null, 0, [] and nulls) — for a comparison
   * with a previous period, which reads only the totals and ratios.
   */
  summary(q: MetricsQuery, o: { details?: boolean } = {}): MetricsSummary {
    const id = this.resolve(q.project);
    const pid = id ?? null;
    const empty = id === null;
    const light = empty || o.details === false;
    const v = empty ? new Map<string, number>() : this.reader.sums(pid, q.since, q.until);
    const n = (k: string) => Math.round(v.get(k) ?? 0);
    const runs = n('testRuns');
    const failed = n('testFailures');
    const commits = n('commits');
    const assisted = n('aiAssistedCommits');
    const tokens = n('aiTokens');
    const p50 = (metric: string) => (light ? null : (this.reader.percentiles(metric, pid, q.since, q.until, [0.5])[0] ?? null));
    return {
      project: id === undefined ? null : normalizeProject(q.project as string),
      since: q.since,
      until: q.until,
      activeMs: n('activeMs'),
      commits,
      linesAdded: n('linesAdded'),
      linesRemoved: n('linesRemoved'),
      filesTouched: n('filesTouched'),
      tests: {
        runs,
        passed: runs - failed,
        failed,
        passRate: ratio(runs - failed, runs),
        failingStreak: light ? 0 : this.reader.failingStreak(pid, q.since, q.until),
        flaky: light ? [] : this.reader.flaky(pid, q.since, q.until, this.settings.flakyMinFlips, 10),
        p50Ms: p50('testMs'),
      },
      coverage: light ? { latest: null, delta: null } : this.reader.coverage(pid, q.since, q.until),
      builds: { runs: n('buildRuns'), failed: n('buildFailures'), p50Ms: p50('buildMs') },
      churn: { linesChanged: n('linesChanged'), revertRate: ratio(n('reverts'), commits) },
      ai: {
        assistedCommits: assisted,
        assistedShare: ratio(assisted, commits),
        sessionMs: n('aiSessionMs'),
        tokens,
        tokensPerCommit: commits > 0 ? Math.round(tokens / commits) : null,
        reworkShare: ratio(n('aiLinesReworked'), n('aiLinesAdded')),
      },
    };
  }

  dora(q: MetricsQuery): DoraMetrics {
    const id = this.resolve(q.project);
    const pid = id ?? null;
    const v = id === null ? new Map<string, number>() : this.reader.sums(pid, q.since, q.until);
    const n = (k: string) => Math.round(v.get(k) ?? 0);
    const attempts = n('deploys');
    const failed = n('deploysFailed');
    const weeks = (q.until - q.since) / WEEK;
    const [p50, p90] = id === null ? [null, null] : this.reader.percentiles('leadMs', pid, q.since, q.until, [0.5, 0.9]);
    const [r50] = id === null ? [null] : this.reader.percentiles('restoreMs', pid, q.since, q.until, [0.5]);
    return {
      deploymentFrequencyPerWeek: weeks > 0 ? Math.round((n('deployments') / weeks) * 100) / 100 : 0,
      deployments: attempts,
      leadTimeMs: { p50: p50 ?? null, p90: p90 ?? null },
      changeFailureRate: ratio(failed, attempts),
      timeToRestoreMs: { p50: r50 ?? null },
      sample: { changes: n('changes'), failedDeployments: failed, restores: n('restores') },
    };
  }

  series(q: MetricsQuery & { metric: SeriesMetric; bucket: SeriesBucket }): { t: number; v: number }[] {
    const kind = KIND[q.bucket];
    const size = bucketSize(kind);
    let from = bucketStart(kind, q.since, this.settings.offsetMs);
    if (q.until <= from) return [];
    const count = Math.ceil((q.until - from) / size);
    if (count > MAX_POINTS) from += (count - MAX_POINTS) * size;
    const id = this.resolve(q.project);
    const got = id === null ? new Map<number, number>() : this.reader.series(kind, q.metric, id ?? null, from, q.until);
    const out: { t: number; v: number }[] = [];
    for (let t = from; t < q.until; t += size) out.push({ t, v: Math.round(got.get(t) ?? 0) });
    return out;
  }

  /** Active time by branch ('b') or issue key ('i') in the window, most first. */
  activeBy(dim: 'b' | 'i', project: string | null | undefined, since: number, until: number, limit: number): { name: string; ms: number }[] {
    const id = this.resolve(project);
    return id === null ? [] : this.reader.activeBy(dim, id ?? null, since, until, limit);
  }

  value(metric: SeriesMetric, q: { project?: string | null; windowMs: number; now?: number }): number {
    const until = q.now ?? Date.now();
    const id = this.resolve(q.project);
    if (id === null) return 0;
    return Math.round(this.reader.sums(id ?? null, until - q.windowMs, until).get(metric) ?? 0);
  }
}
