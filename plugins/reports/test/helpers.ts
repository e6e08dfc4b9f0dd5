// A kernel with reports, the stand-ins it talks to, and event sources for the week fixture.
import { readFileSync } from 'node:fs';
import { createTestKernel, eventSources, replay, type RecordedEvent, type TestKernel } from '@devflow/core/testing';
import type { AnyPluginDefinition } from '@devflow/plugin-sdk';
import reports from '../src/index.js';
import { bottlenecksStandIn, metricsStandIn, notificationsStandIn, stagesStandIn } from './stand-ins.js';

export const PROJECT = '/home/dev/webapp';
/** A time inside the reported week (2026-01-19 .. 2026-01-26, UTC). */
export const IN_WEEK = '2026-01-21T12:00:00Z';
export const WEEK_FROM = Date.UTC(2026, 0, 19);
export const WEEK_TO = Date.UTC(2026, 0, 26);

export function fixture(name: string): RecordedEvent[] {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8')) as RecordedEvent[];
}

export interface KernelOptions {
  /** Which optional stand-ins run (default all). */
  optional?: ('stage-analyzer' | 'bottleneck-detector' | 'notifications')[];
  config?: Record<string, unknown>;
  events?: RecordedEvent[];
  allowFailures?: boolean;
  withMetrics?: boolean;
}

export type ReportsApi = {
  generate(q: Record<string, unknown>): { content: string; from: number; to: number; mime: string };
  save(q: Record<string, unknown>, file?: string): { file: string; bytes: number; from: number; to: number; mime: string };
  data(q: Record<string, unknown>): Record<string, unknown>;
  ready: Promise<void>;
  rebuild(): Promise<void>;
};

export async function reportsKernel(t: { after(fn: () => unknown): void }, o: KernelOptions = {}): Promise<{ tk: TestKernel; api: ReportsApi }> {
  const optional = o.optional ?? ['stage-analyzer', 'bottleneck-detector', 'notifications'];
  const events = o.events ?? [];
  const plugins: AnyPluginDefinition[] = [reports];
  if (o.withMetrics !== false) plugins.push(metricsStandIn);
  if (optional.includes('stage-analyzer')) plugins.push(stagesStandIn);
  if (optional.includes('bottleneck-detector')) plugins.push(bottlenecksStandIn);
  if (optional.includes('notifications')) plugins.push(notificationsStandIn);
  // The bottleneck-detector stand-in replays its own events; the others come from plain sources.
  const sources = events.filter((e) => !e.type.startsWith('bottleneck-detector.'));
  plugins.push(...eventSources(sources.length ? sources : ['git-monitor', 'test-monitor']));
  const tk = await createTestKernel({
    plugins,
    config: { projects: [PROJECT], plugins: { reports: { config: { timeZone: 'utc', ...o.config } } } },
    allowFailures: o.allowFailures ?? false,
    t,
  });
  const running = tk.kernel.status().plugins.some((p) => p.id === 'reports' && p.state === 'started');
  const api = running ? (tk.use(reports) as unknown as ReportsApi) : (undefined as unknown as ReportsApi);
  // Caught up before the replay, so the events below are folded live, in the ingest transaction.
  if (running) await api.ready;
  if (events.length) {
    const kept = optional.includes('bottleneck-detector') ? events : sources;
    await replay(tk, kept);
  }
  if (running) await api.ready;
  return { tk, api };
}

/** Every `<section id="…">` of an HTML page, in order. */
export function sectionIds(html: string): string[] {
  return [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1] as string);
}

/** Every inline `<svg>…</svg>` of an HTML page. */
export function svgs(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}
