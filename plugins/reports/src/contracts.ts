// The APIs reports uses. Metrics (a dependency) provides its types; the optional plugins
// (stage-analyzer, bottleneck-detector, notifications) are described here by the part reports
// calls, so reports runs without them; stand-ins with the same ids work too.

// The metrics types come from the metrics package (reports depends on metrics).
import type { DoraMetrics, MetricsQuery, MetricsSummary, SeriesMetric } from '@devflow/plugin-metrics';
export type { DoraMetrics, MetricsQuery, MetricsSummary, SeriesMetric };

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
