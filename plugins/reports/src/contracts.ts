// LOCAL descriptions of the APIs reports uses (see the cross-plugin contracts): the other packages
// are not imported, so reports builds and tests on its own; stand-ins with the same ids work too.

/** A project filter and a window `[since, until)` in epoch ms. */
export interface MetricsQuery {
  project?: string | null;
  since: number;
  until: number;
}

/** `metrics.summary(q)`: the numbers of one window. */
export interface MetricsSummary {
  project: string | null;
  since: number;
  until: number;
  activeMs: number;
  commits: number;
  linesAdded: number;
  linesRemoved: number;
  filesTouched: number;
  tests: { runs: number; passed: number; failed: number; passRate: number | null; failingStreak: number; flaky: string[] };
  coverage: { latest: number | null; delta: number | null };
  builds: { runs: number; failed: number; p50Ms: number | null };
  churn: { linesChanged: number; revertRate: number | null };
  ai: {
    assistedCommits: number;
    assistedShare: number | null;
    sessionMs: number;
    tokens: number;
    tokensPerCommit: number | null;
    reworkShare: number | null;
  };
}

/** `metrics.dora(q)`: DORA numbers of one window. */
export interface DoraMetrics {
  deploymentFrequencyPerWeek: number;
  deployments: number;
  leadTimeMs: { p50: number | null; p90: number | null };
  changeFailureRate: number | null;
  timeToRestoreMs: { p50: number | null };
  sample: { changes: number; failedDeployments: number; restores: number };
}

export type SeriesMetric = 'activeMs' | 'commits' | 'testRuns' | 'testFailures' | 'buildMs' | 'deployments' | 'aiSessionMs' | 'linesChanged';

/** The part of the metrics API reports calls. */
export interface MetricsApi {
  /** `{ details: false }`: totals and ratios only (used for the previous period; a stand-in may ignore it). */
  summary(q: MetricsQuery, o?: { details?: boolean }): MetricsSummary;
  dora(q: MetricsQuery): DoraMetrics;
  series(q: MetricsQuery & { metric: SeriesMetric; bucket: 'hour' | 'day' | 'week' }): { t: number; v: number }[];
}

/** `stage-analyzer.current(project)`. */
export interface CurrentStage {
  project: string;
  stage: string;
  subStage: string | null;
  since: number;
  confidence: number;
  evidence: unknown[];
}

export interface StageAnalyzerApi {
  current(project: string): CurrentStage | null;
  durations(project: string, since?: number, until?: number): { stage: string; ms: number }[];
}

/** An open bottleneck, as `bottleneck-detector.open()` lists it. */
export interface Finding {
  key: string;
  rule: string;
  project: string | null;
  severity: 'info' | 'warn' | 'error';
  title: string;
  subject: string;
  evidence: unknown[];
  suggestion: string;
  openedAt: number;
}

export interface BottleneckApi {
  open(project?: string | null): Finding[];
}

/** `notifications.notify(n)`. */
export interface NotificationsApi {
  notify(n: {
    title: string;
    body?: string;
    severity: 'info' | 'warn' | 'error';
    project?: string | null;
    key?: string;
    source?: string;
    attachments?: { name: string; path: string }[];
  }): Promise<{ channels: string[]; suppressed?: string }>;
}
