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
  /** The text an MCP client gets for a tool's result: the tool's own rendering of it. */
  render(tool: string, value: unknown): string;
}

export async function start(
  t: { after(fn: () => unknown): void },
  o: { config?: Record<string, unknown>; enabled?: boolean; home?: string } = {},
): Promise<Harness> {
  const tk = await createTestKernel({
    plugins: [taskTimeline, ...eventSources(SOURCES)],
    config: { plugins: { 'task-timeline': { enabled: o.enabled ?? true, config: o.config ?? {} } } },
    t,
    ...(o.home !== undefined ? { home: o.home } : {}),
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
    render: (tool, value) => rendered(tk, tool, value),
  };
}

/** What the kernel puts in the MCP text content for a tool result (the tool's `render`). */
export function rendered(tk: TestKernel, tool: string, value: unknown): string {
  const render = tk.kernel.tools.get(tool)?.render;
  assert.ok(render, `${tool} renders its own text`);
  return render(value as never);
}

export { replay };

export interface Entry {
  ts: number;
  kind: string;
  summary: string;
  eventId: string;
  facts: Record<string, unknown>;
}

/**
 * A deterministic mixed stream (seeded): mostly file edits, with commits, test runs, AI sessions,
 * builds, branch switches and attributions over `projects` projects, events a few seconds apart.
 */
export function generated(n: number, projects = 3, seed = 7): RecordedEvent[] {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const P = Array.from({ length: projects }, (_, i) => ({ path: `/home/dev/gen${i}`, n: 100 + i, branch: `feature/GEN-${100 + i}-x`, session: 1, run: 0, commit: 0 }));
  let ts = Date.UTC(2026, 3, 1, 8);
  let cur = 0;
  const out: RecordedEvent[] = P.map((p) => ({ type: 'git-monitor.branch.switched', project: p.path, ts, data: { from: 'main', to: p.branch } }));
  while (out.length < n) {
    ts += Math.floor(r() * 8000);
    if (r() < 0.15) cur = Math.floor(r() * projects);
    const p = P[cur] as (typeof P)[number];
    const x = r() * 100;
    const file = `src/${['api', 'ui', 'lib'][Math.floor(r() * 3)]}/f${Math.floor(r() * r() * 12)}.ts`;
    let e: Omit<RecordedEvent, 'project' | 'ts'>;
    if (x < 80) e = { type: 'file-monitor.file.changed', data: { path: file, linesAdded: Math.floor(r() * 9), linesRemoved: 1, count: 1 } };
    else if (x < 85) e = { type: 'git-monitor.commit.created', data: { hash: `${p.n}${(p.commit++).toString(16).padStart(6, '0')}abcdef`, branch: p.branch, subject: `change ${out.length}`, stats: { files: 2, added: 10, removed: 1 } } };
    else if (x < 90) e = { type: 'test-monitor.run.finished', data: { runId: `${p.n}-${p.run++}`, kind: 'test', ok: r() < 0.6, failed: 1, passed: 9, failingTests: ['t1'], branch: p.branch } };
    else if (x < 95) e = { type: 'ai-monitor.session.updated', data: { tool: 'claude', sessionId: `${p.n}-${r() < 0.1 ? ++p.session : p.session}`, branch: p.branch, startedAt: ts - 300_000, activeMs: Math.floor(r() * 600_000), prompts: 3, toolCallsTotal: 5 } };
    else if (x < 96) e = { type: 'test-monitor.build.finished', data: { runId: `b${p.n}-${p.run++}`, ok: true, durationMs: 1000, branch: p.branch } };
    else if (x < 97) e = { type: 'ai-monitor.commit.attributed', data: { hash: `${p.n}${Math.max(0, p.commit - 1).toString(16).padStart(6, '0')}abcdef`, confidence: 0.6, tools: ['claude'] } };
    else if (x < 98) {
      const from = p.branch;
      p.n += projects;
      p.branch = `feature/GEN-${p.n}-x`;
      e = { type: 'git-monitor.branch.switched', data: { from, to: p.branch } };
    } else e = { type: 'file-monitor.file.changed', data: { path: file, count: 2 } };
    out.push({ ...e, project: p.path, ts: ts - (x > 99.5 ? 3_600_000 : 0) });
  }
  return out;
}
