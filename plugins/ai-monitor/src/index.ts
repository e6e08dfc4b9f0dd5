export { default, createAiMonitor, type AiMonitorApi, type AiMonitorOptions } from './plugin.js';
export type { SessionEventData } from './session-events.js';
export type { MetricsSummary, LogsSummary } from './otlp.js';
export type { Assistant } from './processes.js';
