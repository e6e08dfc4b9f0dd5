// Shared test helpers: fixtures, a kernel with metrics and stand-in sources, and the API.
import { readFileSync } from 'node:fs';
import { createTestKernel, eventSources, replay, type RecordedEvent, type TestKernel } from '@devflow/core/testing';
import metrics from '../src/index.js';
import type { DoraMetrics, MetricsQuery, MetricsSummary, SeriesBucket, SeriesMetric } from '../src/index.js';

export interface MetricsApi {
  ready: Promise<void>;
  rebuild(): Promise<void>;
  status(): { state: string; lag: number };
  summary(q: MetricsQuery): MetricsSummary;
  dora(q: MetricsQuery): DoraMetrics;
  series(q: MetricsQuery & { metric: SeriesMetric; bucket: SeriesBucket }): { t: number; v: number }[];
  value(metric: SeriesMetric, q: { project?: string | null; windowMs: number; now?: number }): number;
}

export function fixture(name: string): RecordedEvent[] {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as RecordedEvent[];
}

/** Every source any fixture uses, so kernels over the same database have the same plugins. */
export const SOURCES = ['file-monitor', 'git-monitor', 'test-monitor', 'ai-monitor'];

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const t = (iso: string) => Date.parse(iso);

export async function kernelWith(
  tc: { after(fn: () => unknown): void },
  opts: { metrics?: boolean; config?: Record<string, unknown>; home?: string } = {},
): Promise<{ tk: TestKernel; api: MetricsApi }> {
  const plugins = [...(opts.metrics === false ? [] : [metrics]), ...eventSources(SOURCES)];
  const tk = await createTestKernel({
    plugins,
    config: { plugins: { metrics: { config: opts.config ?? {} } } },
    t: tc,
    ...(opts.home ? { home: opts.home } : {}),
  });
  const api = (opts.metrics === false ? undefined : tk.use(metrics)) as MetricsApi;
  if (api) await api.ready;
  return { tk, api };
}

/** Replay fixtures through the real ingest path and wait until the projection is live. */
export async function feed(k: { tk: TestKernel; api?: MetricsApi }, ...names: string[]): Promise<void> {
  for (const n of names) await replay(k.tk, fixture(n));
  if (k.api) await k.api.ready;
}
