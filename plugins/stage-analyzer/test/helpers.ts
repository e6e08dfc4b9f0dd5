// Shared test helpers: fixtures, a kernel with stage-analyzer and stand-in sources, and views of
// the tool answers that are easy to compare.
import { readFileSync } from 'node:fs';
import { createTestKernel, eventSources, replay, type RecordedEvent, type TestKernel } from '@devflow/core/testing';
import type { StoredEvent } from '@devflow/plugin-sdk';
import stageAnalyzer from '../src/index.js';

export type Fixture = RecordedEvent[];

/** A fixture from test/fixtures (read from the compiled dist/test). */
export function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** Every source any fixture uses, so one kernel can replay all of them. */
export const ALL_SOURCES = ['file-monitor', 'git-monitor', 'test-monitor', 'ai-monitor', 'system-monitor'];

export interface Options {
  config?: Record<string, unknown>;
  home?: string;
  withAnalyzer?: boolean;
  t?: { after(fn: () => unknown): void };
}

export async function kernel(opts: Options = {}): Promise<TestKernel> {
  const plugins = [...(opts.withAnalyzer === false ? [] : [stageAnalyzer]), ...eventSources(ALL_SOURCES)];
  const tk = await createTestKernel({
    plugins,
    config: { plugins: { 'stage-analyzer': { config: opts.config ?? {} } } },
    ...(opts.home ? { home: opts.home } : {}),
    ...(opts.t ? { t: opts.t } : {}),
  });
  if (opts.withAnalyzer !== false) await tk.use(stageAnalyzer).ready();
  return tk;
}

/** Replay a fixture; returns the stored events in fixture order (undefined where one was dropped). */
export async function play(tk: TestKernel, events: Fixture): Promise<(StoredEvent | undefined)[]> {
  const stored = await replay(tk, events);
  tk.flush();
  return stored;
}

export async function call<T = Record<string, unknown>>(tk: TestKernel, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = await tk.callTool(name, args);
  if (!r.ok) throw new Error(`${name} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

export interface EvidenceOut {
  rule: string;
  eventType: string;
  eventId?: string;
  detail: string;
}

export interface TransitionOut {
  from: string | null;
  to: string;
  subStage: string | null;
  at: string;
  endedAt: string | null;
  durationMs: number | null;
  confidence: number;
  evidence: EvidenceOut[];
}

export interface HistoryOut {
  project: string | null;
  transitions: TransitionOut[];
  total: number;
  truncated: boolean;
  timePerStage: { stage: string; ms: number; share: number }[];
  note?: string;
}

export interface CurrentOut {
  project: string | null;
  stage: string | null;
  subStage: string | null;
  since: string | null;
  confidence: number | null;
  evidence: EvidenceOut[];
  lastEventAt: string | null;
  leading: { stage: string; share: number }[];
  note?: string;
}

/** Oldest first, as `[at, from, to, subStage]`. */
export const path = (h: HistoryOut) => [...h.transitions].reverse().map((t) => [t.at, t.from, t.to, t.subStage]);

/** Both tools for each project, as one comparable value. */
export async function answers(tk: TestKernel, projects: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const project of projects) out.push(await call(tk, 'stage_current', { project }), await call(tk, 'stage_history', { project, limit: 50 }));
  return out;
}

/** Replace event ids by the position of the event in the fixture (ids differ between databases). */
export function byPosition(value: unknown, stored: readonly (StoredEvent | undefined)[]): unknown {
  const pos = new Map(stored.map((e, i) => [e?.id, `#${i}`]));
  return JSON.parse(JSON.stringify(value), (k, v: unknown) => (k === 'eventId' && typeof v === 'string' ? (pos.get(v) ?? `?${v}`) : v));
}

export { stageAnalyzer };
