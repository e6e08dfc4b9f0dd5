import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import { definePlugin } from '@devflow/plugin-sdk';
import httpApi from '../src/index.js';
import { reporter } from './fixtures.js';
import { probe, request, waitFor } from './helpers.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('only the lease holder listens; another process keeps the registrations and serves them when it takes over', async (t) => {
  const kernel = { leaseTtlMs: 500 };
  const monitor = definePlugin({ id: 'monitor', version: '1.0.0', kernel: '^1.0.0', needsLease: true, start() {} });
  const home = mkdtempSync(join(tmpdir(), 'devflow-http-lease-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const holder = await createTestKernel({ plugins: [monitor], config: { kernel }, home, t });
  assert.equal(holder.kernel.status().lease.held, true);

  const port = await freePort();
  const other = await createTestKernel({
    plugins: [httpApi, reporter, probe],
    config: { kernel, plugins: { 'http-api': { config: { port } } } },
    home,
    t,
  });
  const api = other.use(httpApi);
  assert.equal(other.kernel.status().lease.held, false);
  assert.equal(other.kernel.status().plugins.find((p) => p.id === 'http-api')?.state, 'started', 'started: it serves registrations, just not a socket');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(api.url(), null);
  assert.equal(api.loginUrl(), null);
  assert.equal(await refusesConnections(port), true, 'nothing listens in a process without the lease');
  assert.ok(!other.logs.some((l) => String(l.msg).startsWith('http-api: listening on ')));

  await holder.close();
  const url = await waitFor(() => api.url(), 'the take-over', 5000);
  assert.equal(url, `http://127.0.0.1:${port}`);
  const token = readFileSync(join(other.home, 'http-token'), 'utf8').trim();
  const r = await request(`${url}/api/v1/reports/r1`, { token });
  assert.equal(r.status, 200, 'the route registered before the take-over answers');
  assert.equal((await request(`${url}/status`)).json().lease.held, true);
});

test('stopping the plugin closes the server and says so', async (t) => {
  const tk = await createTestKernel({ plugins: [httpApi, probe], config: { plugins: { 'http-api': { config: { port: 0 } } } }, t });
  const api = tk.use(httpApi);
  const url = await waitFor(() => api.url(), 'listening');
  const port = Number(new URL(url).port);
  await tk.kernel.setPluginEnabled('http-api', false, tk.kernel.localPrincipal);
  assert.equal(await refusesConnections(port), true);
  const stopped = await tk.waitForEvent((e) => e.type === 'http-api.server.stopped');
  assert.deepEqual(stopped.data, { url, port, reason: 'plugin stopped' });
});
