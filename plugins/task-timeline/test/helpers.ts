// Shared test plumbing: fixtures, a kernel with task-timeline and stand-in event sources, tool calls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTestKernel, eventSources, replay, type RecordedEvent, type TestKernel } from '@devflow/core/testing';
import taskTimeline, { type TaskTimelineApi } from '../src/index.js';

export const PROJECT = '/home/dev/webapp';
export const BRANCH = 'feature/PROJ-123-login';
export const at = (hm: string, day = '2026-03-02') => Date.parse(`${day}T${hm}:00.000Z`);

export function fixture(name: string): RecordedEvent[] {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8')) as RecordedEvent[];
}

/** Every source any fixture of these tests uses, so one kernel can replay them all. */
export const SOURCES = ['file-monitor', 'git-monitor', 'ai-monitor', 'test-monitor', 'stage-analyzer', 'bottleneck-detector', 'github', 'jira'];

export interface Harness {
  tk: TestKernel;
  readonly api: TaskTimelineApi;
  /** Start task-timeline in a kernel that ran without it; resolves when it caught up with the log. */
  enable(): Promise<void>;
  call<T = Record<string, unknown>>(tool: string, args?: Record<string, unknown>): Promise<T>;
}

export async function start(
  t: { after(fn: () => unknown): void },
  o: { config?: Record<string, unknown>; enabled?: boolean } = {},
): Promise<Harness> {
  const tk = await createTestKernel({
    plugins: [taskTimeline, ...eventSources(SOURCES)],
    config: { plugins: { 'task-timeline': { enabled: o.enabled ?? true, config: o.config ?? {} } } },
    t,
  });
  let api = (o.enabled === false ? undefined : tk.use(taskTimeline)) as TaskTimelineApi;
  if (api) await api.ready();
  return {
    tk,
    get api() {
      return api;
    },
    async enable() {
      const change = await tk.kernel.setPluginEnabled('task-timeline', true, tk.kernel.localPrincipal);
      assert.deepEqual(change.problems, []);
      api = tk.use(taskTimeline) as TaskTimelineApi;
      await api.ready();
    },
    async call<T>(tool: string, args: Record<string, unknown> = {}) {
      const r = await tk.callTool(tool, args);
      assert.ok(r.ok, `${tool} failed: ${JSON.stringify(r)}`);
      return r.value as T;
    },
  };
}

export { replay };

export interface Entry {
  ts: number;
  kind: string;
  summary: string;
  eventId: string;
  facts: Record<string, unknown>;
}
