// The report as data (what the JSON format is, and what both renderers read), and the comparison
// with the previous period. Pure.
import type { CurrentStage, DoraMetrics, MetricsSummary } from './contracts.js';
import type { Period, TimeZoneMode } from './period.js';
import type { BottleneckRow, HotFile, NotableRow } from './store.js';

export type ReportFormat = 'markdown' | 'html' | 'json';

export interface DayRow {
  /** `YYYY-MM-DD` in the report's time zone. */
  date: string;
  /** Start of the day (epoch ms). */
  t: number;
  activeMs: number;
  commits: number;
  testRuns: number;
  testFailures: number;
  /** Passed runs / runs that day; null without runs. */
  passRate: number | null;
}

export interface Delta {
  key: string;
  label: string;
  unit: 'ms' | 'count' | 'ratio' | 'lines';
  current: number | null;
  previous: number | null;
  /** current − previous (null when either is unknown). */
  change: number | null;
  direction: 'up' | 'down' | 'flat' | 'unknown';
  /** Whether the change is an improvement; null when neither way is better. */
  good: boolean | null;
}

export interface StagesSection {
  durations: { stage: string; ms: number; share: number }[];
  current: Pick<CurrentStage, 'project' | 'stage' | 'subStage' | 'since' | 'confidence'>[];
}

export interface BottlenecksSection {
  opened: BottleneckRow[];
  resolved: BottleneckRow[];
  /** Open right now, per bottleneck-detector (not limited to the window). */
  openNow: number;
}

export interface ReportData {
  schema: 'devflow.report/1';
  period: Period;
  label: string;
  sprint: number | null;
  from: number;
  to: number;
  timeZone: TimeZoneMode;
  generatedAt: number;
  /** The project asked for, or null for all projects. */
  project: string | null;
  /** The projects the report covers. */
  projects: string[];
  summary: MetricsSummary;
  dora: DoraMetrics;
  days: DayRow[];
  /** null when stage-analyzer is not enabled (see `notes`). */
  stages: StagesSection | null;
  /** null when bottleneck-detector is not enabled (see `notes`). */
  bottlenecks: BottlenecksSection | null;
  hotFiles: HotFile[];
  busiestDays: { date: string; activeMs: number; commits: number }[];
  notable: NotableRow[];
  comparison: { label: string; from: number; to: number; deltas: Delta[] };
  /** One line per absent section or degraded source. */
  notes: string[];
}

type Pick2 = { s: MetricsSummary; d: DoraMetrics };
const SPECS: { key: string; label: string; unit: Delta['unit']; higherIsBetter: boolean | null; get: (x: Pick2) => number | null }[] = [
  { key: 'activeMs', label: 'Active time', unit: 'ms', higherIsBetter: null, get: (x) => x.s.activeMs },
  { key: 'commits', label: 'Commits', unit: 'count', higherIsBetter: null, get: (x) => x.s.commits },
  { key: 'linesChanged', label: 'Lines changed', unit: 'lines', higherIsBetter: null, get: (x) => x.s.linesAdded + x.s.linesRemoved },
  { key: 'testPassRate', label: 'Test pass rate', unit: 'ratio', higherIsBetter: true, get: (x) => x.s.tests.passRate },
  { key: 'builds', label: 'Builds', unit: 'count', higherIsBetter: null, get: (x) => x.s.builds.runs },
  { key: 'buildFailures', label: 'Failed builds', unit: 'count', higherIsBetter: false, get: (x) => x.s.builds.failed },
  { key: 'deployments', label: 'Deploys', unit: 'count', higherIsBetter: true, get: (x) => x.d.deployments },
  { key: 'leadTimeP50', label: 'Lead time (p50)', unit: 'ms', higherIsBetter: false, get: (x) => x.d.leadTimeMs.p50 },
  { key: 'changeFailureRate', label: 'Change failure rate', unit: 'ratio', higherIsBetter: false, get: (x) => x.d.changeFailureRate },
  { key: 'aiShare', label: 'AI-assisted commits', unit: 'ratio', higherIsBetter: null, get: (x) => x.s.ai.assistedShare },
  { key: 'aiRework', label: 'AI rework', unit: 'ratio', higherIsBetter: false, get: (x) => x.s.ai.reworkShare },
];

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Deltas of the headline numbers between this period and the previous one. */
export function compare(cur: Pick2, prev: Pick2): Delta[] {
  return SPECS.map((spec) => {
    const current = finite(safe(() => spec.get(cur)));
    const previous = finite(safe(() => spec.get(prev)));
    const change = current !== null && previous !== null ? current - previous : null;
    const eps = spec.unit === 'ratio' ? 0.0005 : 0;
    const direction: Delta['direction'] = change === null ? 'unknown' : change > eps ? 'up' : change < -eps ? 'down' : 'flat';
    const good = spec.higherIsBetter === null || direction === 'unknown' || direction === 'flat' ? null : (direction === 'up') === spec.higherIsBetter;
    return { key: spec.key, label: spec.label, unit: spec.unit, current, previous, change, direction, good };
  });
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
