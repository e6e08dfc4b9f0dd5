export { default } from './plugin.js';
export { configSchema, type MetricsConfig } from './config.js';
export { SERIES_METRICS, type DoraMetrics, type MetricsQuery, type MetricsSummary, type SeriesBucket, type SeriesMetric } from './queries.js';
export { activeTime } from './heartbeats.js';
