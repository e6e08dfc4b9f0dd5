import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import httpApi from '../src/index.js';
import { reporter } from './fixtures.js';
import { probe, request, startApi, waitFor } from './helpers.js';

test('the local token file is created with mode 0600 and maps to the local principal with localRole', async (t) => {
  const a = await startApi(t, { config: { localRole: 'viewer' }, plugins: [reporter] });
  const file = join(a.tk.home, 'http-token');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
  const me = (await request(`${a.url}/api/v1/whoami`, { token: a.token })).json();
  assert.equal(me.principal.role, 'viewer');
  assert.match(me.principal.id, /^local:/);
  const put = await request(`${a.url}/api/v1/reports/x`, { method: 'PUT', token: a.token, headers: { 'content-type': 'application/json' }, body: '{"title":"t"}' });
  assert.equal(put.status, 403, 'localRole decides what the local token may do');
  const line = a.tk.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('http-api: listening on '));
  assert.equal(line?.msg, `http-api: listening on ${a.url}`);
  assert.equal(a.tk.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('http-api: listening on ')).length, 1, 'logged once');
  assert.ok(!a.tk.logs.some((l) => JSON.stringify(l).includes(a.token)), 'the token is never logged');
  const listening = await a.tk.waitForEvent((e) => e.type === 'http-api.server.listening');
  assert.deepEqual(listening.data, { url: a.url, port: Number(new URL(a.url).port) });
});

test('the token file is repaired at start: wide permissions narrowed, bad content replaced', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'devflow-http-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const file = join(home, 'http-token');
  writeFileSync(file, 'short\n', { mode: 0o644 });
  chmodSync(file, 0o644);
  const a = await startApi(t, { home });
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.notEqual(a.token, 'short');
  assert.ok(a.tk.logs.some((l) => /narrowed .* to 0600/.test(String(l.msg))));
  assert.ok(a.tk.logs.some((l) => /replaced the malformed token/.test(String(l.msg))));
  await a.tk.close();
  const b = await startApi(t, { home });
  assert.equal(b.token, a.token, 'a good token is kept across starts');
});

test('browser login: loginUrl sets an HttpOnly SameSite=Strict cookie, the cookie authenticates, logout ends it', async (t) => {
  const a = await startApi(t);
  const login = a.api.loginUrl('/activity?x=1');
  assert.ok(login?.startsWith(`${a.url}/auth/login?token=`));
  const r = await request(login as string);
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, '/activity?x=1');
  const setCookie = String(r.headers['set-cookie']?.[0]);
  assert.match(setCookie, /^devflow_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  const cookie = setCookie.split(';')[0] as string;

  const me = await request(`${a.url}/api/v1/whoami`, { headers: { cookie, origin: a.url } });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json().principal.role, 'admin');
  const call = await request(`${a.url}/api/v1/tools/devflow_status`, { method: 'POST', headers: { cookie, origin: a.url, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(call.status, 200, 'a session may write');
  const foreign = await request(`${a.url}/api/v1/whoami`, { headers: { cookie, origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403, 'a cookie does not help a foreign origin');

  // change the value's first character: every bit of it counts (the last base64url character of a
  // value carries unused low bits, so changing it could leave the decoded bytes the same)
  const tampered = cookie.replace(/=(.)/, (_m, c: string) => `=${c === 'A' ? 'B' : 'A'}`);
  assert.notEqual(tampered, cookie);
  assert.equal((await request(`${a.url}/api/v1/whoami`, { headers: { cookie: tampered } })).status, 401);
  const bad = await request(`${a.url}/auth/login?token=wrong-token-wrong-token`);
  assert.equal(bad.status, 401);
  assert.equal(bad.headers['set-cookie'], undefined);
  for (const to of ['//evil.example/x', 'http://evil.example', '/\\evil.example']) {
    const open = await request(`${a.url}/auth/login?token=${a.token}&to=${encodeURIComponent(to)}`);
    assert.equal(open.headers.location, '/', `no open redirect to ${to}`);
  }
  const out = await request(`${a.url}/auth/logout`, { method: 'POST', headers: { cookie } });
  assert.equal(out.status, 200);
  assert.match(String(out.headers['set-cookie']?.[0]), /devflow_session=; .*Max-Age=0/);
});

test('configured tokens: tokenFile and tokenEnv work, unusable ones are reported and left out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-http-tokens-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ci'), 'ci-token-from-a-file-0123456789\n', { mode: 0o600 });
  writeFileSync(join(dir, 'open'), 'open-token-readable-by-all-0123\n', { mode: 0o644 });
  chmodSync(join(dir, 'open'), 0o644);
  process.env.DEVFLOW_HTTP_TEST_TOKEN = 'env-token-0123456789abcdef';
  t.after(() => delete process.env.DEVFLOW_HTTP_TEST_TOKEN);
  const a = await startApi(t, {
    config: {
      tokens: [
        { tokenFile: join(dir, 'ci'), principal: 'ci', role: 'developer' },
        { tokenEnv: 'DEVFLOW_HTTP_TEST_TOKEN', principal: 'grafana', role: 'viewer' },
        { tokenFile: join(dir, 'open'), principal: 'sloppy', role: 'admin' },
        { tokenEnv: 'DEVFLOW_HTTP_UNSET_VAR', principal: 'ghost', role: 'admin' },
      ],
    },
  });
  assert.equal((await request(`${a.url}/api/v1/whoami`, { token: 'ci-token-from-a-file-0123456789' })).json().principal.id, 'token:ci');
  assert.equal((await request(`${a.url}/api/v1/whoami`, { token: 'env-token-0123456789abcdef' })).json().principal.role, 'viewer');
  assert.equal((await request(`${a.url}/api/v1/whoami`, { token: 'open-token-readable-by-all-0123' })).status, 401);
  const problems = a.tk.logs.filter((l) => l.code === 'HTTP_ERR_TOKEN_CONFIG').map((l) => String(l.msg));
  assert.equal(problems.length, 2);
  assert.match(problems[0] as string, /tokens\[2\].*readable by others.*chmod 600/);
  assert.match(problems[1] as string, /tokens\[3\].*DEVFLOW_HTTP_UNSET_VAR is not set/);
});

test('scrape routes need a token when anonymousLoopback is off', async (t) => {
  const a = await startApi(t, { config: { anonymousLoopback: false } });
  assert.equal((await request(`${a.url}/metrics`)).status, 401);
  assert.equal((await request(`${a.url}/status`, { token: a.token })).status, 200);
});

test('listening beyond loopback without tokens, or with the anonymous exemption, is refused with a coded error', async (t) => {
  for (const config of [{ host: '0.0.0.0' }, { host: '0.0.0.0', tokens: [{ tokenSha256: 'a'.repeat(64), principal: 'x', role: 'viewer' }] }]) {
    const tk = await createTestKernel({ plugins: [httpApi, probe], config: { plugins: { 'http-api': { config: { port: 0, ...config } } } }, allowFailures: true, t });
    const s = tk.kernel.status().plugins.find((p) => p.id === 'http-api');
    assert.equal(s?.state, 'failed');
    assert.match(s?.reason ?? '', /HTTP_ERR_INSECURE_BIND: refusing to listen on 0\.0\.0\.0/);
    assert.equal(tk.kernel.status().plugins.find((p) => p.id === 'probe')?.state, 'started', 'the rest keeps running');
    await tk.close();
  }
});

test('a port in use: a clear error naming the port and the config key, retried until it is free; the kernel keeps running', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const tk = await createTestKernel({ plugins: [httpApi, probe], config: { plugins: { 'http-api': { config: { port, listenRetryMs: 100 } } } }, t });
  const failed = await tk.waitForEvent((e) => e.type === 'http-api.server.failed');
  assert.equal(failed.data.code, 'HTTP_ERR_PORT_IN_USE');
  const line = tk.logs.find((l) => l.code === 'HTTP_ERR_PORT_IN_USE');
  assert.match(String(line?.msg), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*plugins\\.http-api\\.config\\.port`));
  const api = tk.use(httpApi);
  assert.equal(api.url(), null);
  assert.equal(tk.kernel.status().plugins.find((p) => p.id === 'http-api')?.state, 'started');
  await new Promise((r) => setTimeout(r, 350));
  assert.equal(tk.logs.filter((l) => l.code === 'HTTP_ERR_PORT_IN_USE' && l.level >= 50).length, 1, 'reported once, not per retry');
  await new Promise<void>((r) => blocker.close(() => r()));
  const url = await waitFor(() => api.url(), 'listening after the port was freed');
  assert.equal(url, `http://127.0.0.1:${port}`);
  assert.equal((await request(`${url}/health`)).status, 200);
});
