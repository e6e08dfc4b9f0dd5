// Gathers a ReportData from the sources: metrics (required), stage-analyzer and bottleneck-detector
// (optional), and reports' own tables. No kernel imports: the sources are passed in.
import type { BottleneckApi, MetricsApi, SeriesMetric, StageAnalyzerApi } from './contracts.js';
import { dayKey, previousWindow, windowFor, type Period, type SprintConfig, type TimeZoneMode } from './period.js';
import { compare, type BottlenecksSection, type DayRow, type ReportData, type StagesSection } from './report-data.js';
import type { ReportStore } from './store.js';

export interface ReportSources {
  metrics: MetricsApi;
  stages?: StageAnalyzerApi | undefined;
  bottlenecks?: BottleneckApi | undefined;
  store: Pick<ReportStore, 'hotFiles' | 'bottlenecks' | 'notable'>;
  /** The configured project roots (used when the report covers all projects). */
  projects: readonly string[];
}

export interface CollectOptions {
  period: Period;
  /** A time inside the period to report. */
  at: number;
  project: string | null;
  weeks?: number | undefined;
  timeZone: TimeZoneMode;
  sprint: SprintConfig;
  now: number;
  /** Most rows per list (hot files, bottlenecks, notable events). */
  maxItems: number;
  /** Red test streaks shorter than this (runs) are not notable. */
  redStreakMinRuns: number;
}

const MAX_PROJECTS = 20;

/** Build the report. Throws only when metrics itself fails (it is required). */
export function collect(src: ReportSources, o: CollectOptions): ReportData {
  const wo = { timeZone: o.timeZone, sprint: o.sprint, weeks: o.weeks };
  const w = windowFor(o.period, o.at, wo);
  const prev = previousWindow(w, wo);
  const q = { project: o.project, since: w.from, until: w.to };
  const pq = { project: o.project, since: prev.from, until: prev.to };
  const notes: string[] = [];
  const summary = src.metrics.summary(q);
  const dora = src.metrics.dora(q);
  // The previous period feeds only the comparison, which reads totals and ratios: no percentiles of tests and builds.
  const deltas = compare({ s: summary, d: dora }, { s: src.metrics.summary(pq, { details: false }), d: src.metrics.dora(pq) });
  const projects = (o.project !== null ? [o.project] : [...src.projects]).slice(0, MAX_PROJECTS);
  const days = dailyRows(src.metrics, w.days, q, o.timeZone);

  return {
    schema: 'devflow.report/1',
    period: o.period,
    label: w.label,
    sprint: w.sprint,
    from: w.from,
    to: w.to,
    timeZone: o.timeZone,
    generatedAt: o.now,
    project: o.project,
    projects,
    summary,
    dora,
    days,
    stages: stagesOf(src.stages, projects, w.from, w.to, notes),
    bottlenecks: bottlenecksOf(src, o, w.from, w.to, notes),
    hotFiles: src.store.hotFiles(o.project, w.from, w.to, o.maxItems),
    busiestDays: days
      .filter((d) => d.activeMs > 0 || d.commits > 0)
      .sort((a, b) => b.activeMs - a.activeMs || b.commits - a.commits || a.t - b.t)
      .slice(0, 3)
      .map((d) => ({ date: d.date, activeMs: d.activeMs, commits: d.commits })),
    notable: src.store.notable(o.project, w.from, w.to, o.redStreakMinRuns, o.maxItems),
    comparison: { label: prev.label, from: prev.from, to: prev.to, deltas },
    notes,
  };
}

function dailyRows(metrics: MetricsApi, dayStarts: readonly number[], q: { project: string | null; since: number; until: number }, tz: TimeZoneMode): DayRow[] {
  const rows: DayRow[] = dayStarts.map((t) => ({ date: dayKey(t, tz), t, activeMs: 0, commits: 0, testRuns: 0, testFailures: 0, passRate: null }));
  const add = (metric: SeriesMetric, field: 'activeMs' | 'commits' | 'testRuns' | 'testFailures') => {
    for (const p of metrics.series({ ...q, metric, bucket: 'day' })) {
      if (typeof p?.t !== 'number' || typeof p.v !== 'number' || !Number.isFinite(p.v) || !rows.length) continue;
      // Metrics may bucket days in another zone than the report: file each point under the day containing it.
      let i = rows.length - 1;
      while (i > 0 && rows[i]!.t > p.t) i--;
      rows[i]![field] += p.v;
    }
  };
  add('activeMs', 'activeMs');
  add('commits', 'commits');
  add('testRuns', 'testRuns');
  add('testFailures', 'testFailures');
  for (const r of rows) r.passRate = r.testRuns > 0 ? Math.max(0, r.testRuns - r.testFailures) / r.testRuns : null;
  return rows;
}

function stagesOf(api: StageAnalyzerApi | undefined, projects: readonly string[], from: number, to: number, notes: string[]): StagesSection | null {
  if (!api) {
    notes.push('stages: stage-analyzer is not enabled');
    return null;
  }
  try {
    const total = new Map<string, number>();
    for (const p of projects) for (const d of api.durations(p, from, to)) total.set(d.stage, (total.get(d.stage) ?? 0) + (Number.isFinite(d.ms) ? d.ms : 0));
    const sum = [...total.values()].reduce((a, b) => a + b, 0);
    const durations = [...total]
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([stage, ms]) => ({ stage, ms, share: sum > 0 ? ms / sum : 0 }));
    const current = projects
      .slice(0, 10)
      .map((p) => api.current(p))
      .filter((c) => c !== null && c !== undefined)
      .map((c) => ({ project: c.project, stage: c.stage, subStage: c.subStage ?? null, since: c.since, confidence: c.confidence }));
    return { durations, current };
  } catch (e) {
    notes.push(`stages: stage-analyzer failed (${(e as Error).message})`);
    return null;
  }
}

function bottlenecksOf(src: ReportSources, o: CollectOptions, from: number, to: number, notes: string[]): BottlenecksSection | null {
  if (!src.bottlenecks) {
    notes.push('bottlenecks: bottleneck-detector is not enabled');
    return null;
  }
  try {
    const { opened, resolved } = src.store.bottlenecks(o.project, from, to, o.maxItems);
    return { opened, resolved, openNow: src.bottlenecks.open(o.project).length };
  } catch (e) {
    notes.push(`bottlenecks: bottleneck-detector failed (${(e as Error).message})`);
    return null;
  }
}
