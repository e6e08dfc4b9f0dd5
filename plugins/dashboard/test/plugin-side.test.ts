import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import type { Principal } from '@devflow/plugin-sdk';
import bottlenecks from '@devflow/plugin-bottleneck-detector';
import metrics from '@devflow/plugin-metrics';
import reports from '@devflow/plugin-reports';
import stageAnalyzer from '@devflow/plugin-stage-analyzer';
import taskTimeline from '@devflow/plugin-task-timeline';
import { findWebDir, reportRoutes, webDirCandidates } from '../src/index.js';
import type { RawResponse, RouteDefinition } from '../src/http-contract.js';

const ADMIN: Principal = { id: 'test:admin', kind: 'user', role: 'admin' };
const GUEST: Principal = { id: 'test:guest', kind: 'user', role: 'guest' };

test('findWebDir: the configured dir when built, else DASH_ERR_NOT_BUILT naming where it looked and the command', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-web-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.throws(() => findWebDir(dir, import.meta.url), (e: Error & { code?: string }) => e.code === 'DASH_ERR_NOT_BUILT' && e.message.includes(dir));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'app.js'), '');
  assert.equal(findWebDir(dir, import.meta.url), dir);
  // Without config: next to the module (dist/src → dist/public), then the installed package.
  const fake = pathToFileURL(join(dir, 'dist', 'src', 'plugin.js')).href;
  assert.equal(webDirCandidates(null, fake)[0], join(dir, 'dist', 'public') + '/');
  mkdirSync(join(dir, 'empty'));
  assert.throws(() => findWebDir(null, pathToFileURL(join(dir, 'empty', 'x', 'y.js')).href), /DASH_ERR_NOT_BUILT: the web app is not built .*build-web\.mjs/);
});

async function kernelWithReports(t: { after(fn: () => unknown): void }) {
  const tk = await createTestKernel({ plugins: [stageAnalyzer, metrics, bottlenecks, taskTimeline, reports], t });
  const routes = reportRoutes('dashboard', (n, a, p, o) => tk.kernel.callTool(n, a, p, o));
  const byPath = (p: string) => routes.find((r) => r.path === p) as RouteDefinition;
  const run = (path: string, query: Record<string, unknown>, principal = ADMIN) =>
    Promise.resolve(byPath(path).handler({ params: {}, query, body: undefined, principal, signal: new AbortController().signal })) as Promise<RawResponse>;
  return { tk, routes, run };
}

test('report route: generates the HTML report and answers with the page, sandboxed by CSP', async (t) => {
  const { routes, run } = await kernelWithReports(t);
  assert.deepEqual(routes.map((r) => [r.method, r.path, r.permission]), [
    ['GET', '/api/v1/dashboard/report', 'reports:read'],
    ['GET', '/api/v1/dashboard/report-file', 'reports:read'],
  ]);
  const r = await run('/api/v1/dashboard/report', { period: 'day' });
  assert.equal(r.status, 200);
  assert.equal(r.headers?.['content-type'], 'text/html; charset=utf-8');
  assert.match(String(r.headers?.['content-security-policy']), /default-src 'none'.*sandbox/);
  assert.match(r.body.toString(), /<html/i);
  const dl = await run('/api/v1/dashboard/report', { period: 'week', download: true });
  assert.match(String(dl.headers?.['content-disposition']), /^attachment; filename="week-.*\.html"$/);
});

test('report-file route: serves only files reports_list lists; gone files and other paths are 404', async (t) => {
  const { tk, run } = await kernelWithReports(t);
  const gen = await tk.callTool('report_generate', { period: 'day', format: 'html' });
  assert.ok(gen.ok, JSON.stringify(gen));
  const file = (gen.value as { file: string }).file;
  const r = await run('/api/v1/dashboard/report-file', { file });
  assert.equal(r.status, 200);
  assert.match(r.body.toString(), /<html/i);
  for (const other of ['/etc/passwd', `${file}/../../../../etc/passwd`, join(tk.home, 'devflow.db')]) {
    await assert.rejects(run('/api/v1/dashboard/report-file', { file: other }), (e: Error & { status?: number; code?: string }) => e.status === 404 && e.code === 'DASH_ERR_REPORT_FILE');
  }
  unlinkSync(file);
  await assert.rejects(run('/api/v1/dashboard/report-file', { file }), (e: Error & { status?: number }) => e.status === 404 && /is gone/.test(e.message));
});

test('report routes answer 403 for a role without reports:read (the tool path checks it)', async (t) => {
  const { run } = await kernelWithReports(t);
  await assert.rejects(run('/api/v1/dashboard/report', { period: 'day' }, GUEST), (e: Error & { status?: number; code?: string }) => e.status === 403 && e.code === 'KRN_ERR_FORBIDDEN');
  await assert.rejects(run('/api/v1/dashboard/report-file', { file: '/x' }, GUEST), (e: Error & { status?: number }) => e.status === 403);
});
