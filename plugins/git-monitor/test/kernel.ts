// A kernel with git-monitor watching one project root, for the integration tests.
import { createTestKernel, type TestKernel } from '@devflow/core/testing';
import type { StoredEvent } from '@devflow/plugin-sdk';
import gitMonitor from '../src/index.js';

export interface Monitor {
  tk: TestKernel;
  api: ReturnType<TestKernel['use']> & { rescan(): Promise<void>; repositories(): { path: string }[] };
  /** Scan everything now and commit the events. */
  settle(): Promise<void>;
  /** Committed events of one type, with their data. */
  of<T = Record<string, unknown>>(type: string): (StoredEvent & { data: T })[];
  /** Wait (up to `ms`) until a log line matches. */
  waitForLog(match: (l: { level: number; msg?: string; [k: string]: unknown }) => boolean, ms?: number): Promise<{ level: number; msg?: string }>;
}

export async function startMonitor(t: { after(fn: () => unknown): void }, root: string, config: Record<string, unknown> = {}): Promise<Monitor> {
  const tk = await createTestKernel({
    plugins: [gitMonitor],
    config: { projects: [root], plugins: { 'git-monitor': { config: { debounceMs: 20, pollIntervalSec: 3600, ...config } } } },
    t,
  });
  const api = tk.use(gitMonitor) as Monitor['api'];
  const settle = async () => {
    await api.rescan();
    tk.flush();
  };
  await settle();
  return {
    tk,
    api,
    settle,
    of: <T,>(type: string) => tk.events.filter((e) => e.type === type) as (StoredEvent & { data: T })[],
    async waitForLog(match, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = tk.logs.find(match);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching log line within ${ms} ms; warnings: ${tk.logs.filter((l) => l.level >= 40).map((l) => l.msg).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
