import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestKernel, type TestKernel } from '@devflow/core/testing';
import type { AnyPluginDefinition, StoredEvent } from '@devflow/plugin-sdk';
import { createAiMonitor, type AiMonitorApi, type AiMonitorOptions } from '../src/plugin.js';
import type { SessionEventData } from '../src/session-events.js';

export interface Setup {
  dir: string;
  project: string;
  roots: { claude: string; codex: string; gemini: string; qwen: string };
  clock: { now: number };
  tk: TestKernel;
  api: AiMonitorApi;
  /** session events of one session, oldest first. */
  sessionEvents(type: 'updated' | 'ended', sessionId?: string): (StoredEvent & { data: SessionEventData })[];
}

export function tempDir(t: { after(fn: () => void): void }, prefix = 'ai-mon-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A kernel with ai-monitor reading transcripts from temp dirs, on a settable clock, timers effectively off. */
export async function setup(
  t: { after(fn: () => unknown): void },
  o: { config?: Record<string, unknown>; plugins?: AnyPluginDefinition[]; options?: AiMonitorOptions; dir?: string } = {},
): Promise<Setup> {
  const dir = o.dir ?? tempDir(t);
  const project = join(dir, 'app');
  mkdirSync(project, { recursive: true });
  const roots = { claude: join(dir, 'claude', 'projects'), codex: join(dir, 'codex', 'sessions'), gemini: join(dir, 'gemini', 'tmp'), qwen: join(dir, 'qwen', 'projects') };
  const clock = { now: Date.now() };
  const plugin = createAiMonitor({ now: () => clock.now, processes: async () => [], ...o.options });
  const config = {
    sources: { claude: { paths: [roots.claude] }, codex: { paths: [roots.codex] }, gemini: { paths: [roots.gemini] }, qwen: { paths: [roots.qwen] } },
    pollIntervalMs: 600_000,
    scanIntervalMs: 3_600_000,
    updateThrottleMs: 0,
    processes: { enabled: false },
    ...o.config,
  };
  const tk = await createTestKernel({ plugins: [...(o.plugins ?? []), plugin], config: { projects: [project], plugins: { 'ai-monitor': { config } } }, t });
  const api = tk.use(plugin);
  await api.scanNow(); // the first (empty) walk, so tests start from a known state
  return {
    dir,
    project,
    roots,
    clock,
    tk,
    api,
    sessionEvents: (type, sessionId) =>
      tk.events.filter((e) => e.type === `ai-monitor.session.${type}` && (!sessionId || (e.data as SessionEventData).sessionId === sessionId)) as (StoredEvent & { data: SessionEventData })[],
  };
}

/** Scan and return the newest session.updated (or ended) payload of a session. */
export async function scanLatest(s: Setup, sessionId: string, type: 'updated' | 'ended' = 'updated'): Promise<SessionEventData> {
  const report = await s.api.scanNow();
  assert.ok(report, 'the monitor runs (lease held)');
  const events = s.sessionEvents(type, sessionId);
  assert.ok(events.length, `a session.${type} event for ${sessionId}; got ${s.tk.events.map((e) => e.type).join(', ')}`);
  return events[events.length - 1]!.data;
}
