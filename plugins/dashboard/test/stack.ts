// A real DevFlow for browser tests and the bench: a kernel on a temp SQLite file with http-api on
// 127.0.0.1 port 0, the dashboard, admin, the monitors for a real git repository made in a temp
// dir, and the analyzers; plus headless Chromium (Debian's) driven by playwright-core.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestKernel, type TestKernel } from '@devflow/core/testing';
import type { AnyPluginDefinition } from '@devflow/plugin-sdk';
import admin from '@devflow/plugin-admin';
import bottlenecks from '@devflow/plugin-bottleneck-detector';
import fileMonitor from '@devflow/plugin-file-monitor';
import gitMonitor from '@devflow/plugin-git-monitor';
import httpApi from '@devflow/plugin-http-api';
import metrics from '@devflow/plugin-metrics';
import notifications from '@devflow/plugin-notifications';
import reports from '@devflow/plugin-reports';
import stageAnalyzer from '@devflow/plugin-stage-analyzer';
import taskTimeline from '@devflow/plugin-task-timeline';
import { type Browser, chromium } from 'playwright-core';
import dashboard from '../src/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'dashboard');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

export interface Stack {
  readonly tk: TestKernel;
  /** Base URL of the http-api, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** The sign-in link (sets the session cookie, then redirects to `to`). */
  loginUrl(to?: string): string;
  /** The watched project: a git repository in a temp dir. */
  readonly project: string;
  close(): Promise<void>;
}

export interface StackOptions {
  /** The local principal's role (http-api `localRole`); default admin. */
  role?: string;
  /** Monitors and analyzers too (default), or only http-api, dashboard and admin. */
  full?: boolean;
  /** Subject of the first commit and name of the branch (may carry markup: the UI must escape it). */
  subject?: string;
  branch?: string;
  /** http-api port; default 0 (any free port). */
  port?: number;
}

/** A port that was free a moment ago (for a test that restarts the server on the same port). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  if (!existsSync(join(ROOT, 'plugins', 'dashboard', 'dist', 'public', 'app.js'))) {
    throw new Error('the dashboard web app is not built: run `node plugins/dashboard/scripts/build-web.mjs`');
  }
  const project = mkdtempSync(join(tmpdir(), 'dash-project-'));
  git(project, 'init', '-q', '-b', o.branch ?? 'main');
  writeFileSync(join(project, 'README.md'), '# demo\n');
  git(project, 'add', '.');
  git(project, 'commit', '-q', '-m', o.subject ?? 'chore: start');
  const full = o.full ?? true;
  const plugins: AnyPluginDefinition[] = [httpApi, dashboard, admin];
  if (full) plugins.push(fileMonitor, gitMonitor, stageAnalyzer, metrics, bottlenecks, taskTimeline, reports, notifications);
  let tk: TestKernel;
  try {
    tk = await createTestKernel({
      plugins,
      config: { projects: [project], plugins: { 'http-api': { config: { port: o.port ?? 0, localRole: o.role ?? 'admin' } } } },
    });
  } catch (e) {
    rmSync(project, { recursive: true, force: true });
    throw e;
  }
  const close = async () => {
    await tk.close();
    rmSync(project, { recursive: true, force: true });
  };
  try {
    const api = tk.use(httpApi);
    const deadline = Date.now() + 15_000;
    const url = await waitFor(() => api.url(), deadline);
    if (!url) throw new Error('http-api did not listen within 15 s');
    if (full) await tk.waitForEvent((e) => e.type === 'file-monitor.watch.started', 15_000);
    return { tk, url, project, close, loginUrl: (to = '/') => tk.use(httpApi).loginUrl(to) as string };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Poll `get` until it gives a value or `deadline` (epoch ms) passes. */
export async function waitFor<T>(get: () => T | null | undefined, deadline: number): Promise<T | null> {
  for (;;) {
    const v = get();
    if (v !== null && v !== undefined) return v;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}
