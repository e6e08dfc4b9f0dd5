// Shared test helpers: fixtures, a kernel with the detector and stand-in event sources.
import { readFileSync } from 'node:fs';
import { createTestKernel, eventSources, replay, type RecordedEvent, type TestKernel } from '@devflow/core/testing';
import type { StoredEvent } from '@devflow/plugin-sdk';
import detector from '../src/index.js';

export const ID = 'bottleneck-detector';

/** A fixture from test/fixtures (read from the source tree; tsc does not copy JSON). */
export function fixture(name: string): RecordedEvent[] {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as RecordedEvent[];
}

/** Every source any fixture uses, so one kernel can replay any of them. */
export const SOURCES = ['git-monitor', 'test-monitor', 'stage-analyzer', 'github', 'gitlab'];

export async function start(t: { after(fn: () => unknown): void }, options: { config?: Record<string, unknown>; enabled?: boolean; allowFailures?: boolean } = {}): Promise<TestKernel> {
  return createTestKernel({
    plugins: [detector, ...eventSources(SOURCES)],
    config: { plugins: { [ID]: { enabled: options.enabled ?? true, config: options.config ?? {} } } },
    t,
    ...(options.allowFailures ? { allowFailures: true } : {}),
  });
}

export const api = (tk: TestKernel) => tk.use(detector);

/** Replay events and wait until the detector's derived events are committed too. */
export async function feed(tk: TestKernel, events: readonly RecordedEvent[]): Promise<StoredEvent[]> {
  const stored = await replay(tk, events);
  await settle(tk);
  return stored.map((e, i) => {
    if (!e) throw new Error(`fixture event ${i} (${events[i]?.type}) was not stored`);
    return e;
  });
}

/** Let emitted-after-commit events be written. */
export async function settle(tk: TestKernel): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
    tk.flush();
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The detector's own events, as [type suffix, data]. */
export function derived(tk: TestKernel): { type: string; data: Record<string, unknown>; ts: number }[] {
  return tk.events.filter((e) => e.type.startsWith(`${ID}.`)).map((e) => ({ type: e.type.slice(ID.length + 1), data: e.data as Record<string, unknown>, ts: e.ts }));
}

export async function list(tk: TestKernel, args: Record<string, unknown> = {}): Promise<{ findings: Record<string, unknown>[]; openTotal: number; truncated: boolean; note?: string; problems?: string[] }> {
  const r = await tk.callTool('bottlenecks_list', args);
  if (!r.ok) throw new Error(`bottlenecks_list failed: ${JSON.stringify(r.error)}`);
  return r.value as never;
}

export const ms = (iso: string): number => Date.parse(iso);
