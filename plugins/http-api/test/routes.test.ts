import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { reporter } from './fixtures.js';
import { request, startApi, waitFor } from './helpers.js';

const VIEWER = 'viewer-token-0123456789abcdef';
const viewerConfig = { tokens: [{ tokenSha256: createHash('sha256').update(VIEWER).digest('hex'), principal: 'viewer-bot', role: 'viewer' }] };

test('built-in routes: health, ready, status, tools, tool calls, events; every answer JSON', async (t) => {
  const a = await startApi(t, { config: viewerConfig, plugins: [reporter] });
  const health = await request(`${a.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.json().status, 'ok');
  assert.match(String(health.headers['content-type']), /application\/json/);
  assert.equal(health.headers['x-content-type-options'], 'nosniff');

  const ready = await request(`${a.url}/ready`);
  assert.equal(ready.status, 200, ready.text);
  assert.equal(ready.json().ready, true);

  const status = (await request(`${a.url}/status`)).json();
  assert.equal(status.status, 'ok');
  assert.equal(status.pid, process.pid);
  assert.ok(status.plugins.some((p: { id: string; state: string }) => p.id === 'http-api' && p.state === 'started'));
  for (const k of ['path', 'sizeBytes', 'events', 'walBytes']) assert.ok(k in status.database, `database.${k}`);
  assert.ok(status.memory.rss > 0 && status.memory.heapUsed > 0);
  assert.equal(status.lease.held, true);
  assert.equal(status.http.url, a.url);
  assert.deepEqual(Object.keys(status.ingest).sort(), ['appended', 'committed', 'dropped', 'failures', 'pending']);

  const tools = await request(`${a.url}/api/v1/tools`, { token: a.token });
  assert.equal(tools.status, 200);
  const names = tools.json().tools.map((x: { name: string }) => x.name);
  assert.ok(names.includes('devflow_status') && names.includes('devflow_plugin_set_enabled'), names.join());
  const viewerTools = (await request(`${a.url}/api/v1/tools`, { token: VIEWER })).json().tools.map((x: { name: string }) => x.name);
  assert.ok(viewerTools.includes('devflow_status') && !viewerTools.includes('devflow_plugin_set_enabled'), 'the list is filtered by role');

  const call = await request(`${a.url}/api/v1/tools/devflow_status`, { method: 'POST', token: a.token, headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(call.status, 200, call.text);
  assert.ok(Array.isArray(call.json().value.plugins));
  const noBody = await request(`${a.url}/api/v1/tools/devflow_status`, { method: 'POST', token: a.token });
  assert.equal(noBody.status, 200, 'an empty body means no arguments');
  const badArgs = await request(`${a.url}/api/v1/tools/devflow_events_query`, { method: 'POST', token: a.token, headers: { 'content-type': 'application/json' }, body: '{"limit":"lots"}' });
  assert.equal(badArgs.status, 400);
  assert.equal(badArgs.json().error.code, 'KRN_ERR_TOOL_INPUT');
  assert.ok(badArgs.json().error.issues.some((i: { path: string }) => i.path === 'limit'));
  const forbidden = await request(`${a.url}/api/v1/tools/devflow_plugin_set_enabled`, { method: 'POST', token: VIEWER, headers: { 'content-type': 'application/json' }, body: '{"plugin":"probe","enabled":false}' });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.json().error.code, 'KRN_ERR_FORBIDDEN');
  assert.match(forbidden.json().error.message, /plugins:manage/);
  const unknown = await request(`${a.url}/api/v1/tools/no_such_tool`, { method: 'POST', token: a.token });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json().error.code, 'KRN_ERR_TOOL_NOT_FOUND');
  const arrayArgs = await request(`${a.url}/api/v1/tools/devflow_status`, { method: 'POST', token: a.token, headers: { 'content-type': 'application/json' }, body: '[1]' });
  assert.equal(arrayArgs.status, 400);

  for (let i = 0; i < 5; i++) await a.emit('thing.happened', { i }, i % 2 ? '/p/odd' : '/p/even');
  await a.emit('other.happened', { x: 1 }, '/p/odd');
  const page1 = await request(`${a.url}/api/v1/events?types=probe.thing.*&project=/p/odd&limit=1`, { token: VIEWER });
  assert.equal(page1.status, 200, page1.text);
  const p1 = page1.json();
  assert.equal(p1.events.length, 1);
  assert.deepEqual(p1.events[0].data, { i: 3 }, 'newest first');
  assert.deepEqual(Object.keys(p1.events[0]).sort(), ['data', 'id', 'project', 'seq', 'severity', 'source', 'ts', 'type']);
  const p2 = (await request(`${a.url}/api/v1/events?types=probe.thing.*&project=/p/odd&limit=1&cursor=${p1.next}`, { token: VIEWER })).json();
  assert.deepEqual(p2.events[0].data, { i: 1 });
  for (const bad of ['limit=500', 'limit=x', 'since=yesterday-ish', 'types=Bad..Type', 'cursor=-1']) {
    const r = await request(`${a.url}/api/v1/events?${bad}`, { token: VIEWER });
    assert.equal(r.status, 400, bad);
    assert.equal(r.json().error.code, 'HTTP_ERR_INPUT');
  }
});

test('rejections: Host, Origin, token, role, body size, JSON, content type, unknown route, method', async (t) => {
  const a = await startApi(t, { config: { ...viewerConfig, maxBodyBytes: 2048, allowedOrigins: ['https://grafana.example'] }, plugins: [reporter] });
  const port = new URL(a.url).port;

  const host = await request(`${a.url}/health`, { headers: { host: `evil.example:${port}` } });
  assert.equal(host.status, 403);
  assert.equal(host.json().error.code, 'HTTP_ERR_HOST');
  assert.equal((await request(`${a.url}/health`, { headers: { host: `localhost:${port}` } })).status, 200);
  const wrongPort = await request(`${a.url}/api/v1/tools`, { token: a.token, headers: { host: '127.0.0.1:1' } });
  assert.equal(wrongPort.status, 403);

  const origin = await request(`${a.url}/api/v1/tools`, { token: a.token, headers: { origin: 'https://evil.example' } });
  assert.equal(origin.status, 403);
  assert.equal(origin.json().error.code, 'HTTP_ERR_ORIGIN');
  assert.equal((await request(`${a.url}/api/v1/tools`, { token: a.token, headers: { origin: a.url } })).status, 200, 'same origin');
  const cors = await request(`${a.url}/api/v1/tools`, { token: a.token, headers: { origin: 'https://grafana.example' } });
  assert.equal(cors.status, 200);
  assert.equal(cors.headers['access-control-allow-origin'], 'https://grafana.example');
  const preflight = await request(`${a.url}/api/v1/tools/devflow_status`, { method: 'OPTIONS', headers: { origin: 'https://grafana.example', 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);

  const missing = await request(`${a.url}/api/v1/tools`);
  assert.equal(missing.status, 401);
  assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
  assert.equal(missing.json().error.code, 'HTTP_ERR_UNAUTHORIZED');
  const wrong = await request(`${a.url}/api/v1/tools`, { token: 'not-the-token-at-all-0000' });
  assert.equal(wrong.status, 401);
  assert.match(String(wrong.headers['www-authenticate']), /invalid_token/);
  assert.equal((await request(`${a.url}/status`, { token: 'wrong-wrong-wrong-wrong' })).status, 401, 'a wrong token is refused even where none is needed');
  assert.equal((await request(`${a.url}/api/v1/reports/x`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"title":"t"}' })).status, 401, 'writes need a token');

  const role = await request(`${a.url}/api/v1/reports/r1`, { method: 'PUT', token: VIEWER, headers: { 'content-type': 'application/json' }, body: '{"title":"t"}' });
  assert.equal(role.status, 403);
  assert.equal(role.json().error.code, 'HTTP_ERR_FORBIDDEN');
  assert.match(role.json().error.message, /reports:write/);
  assert.equal(role.json().error.permission, 'reports:write');

  const big = await request(`${a.url}/api/v1/reports/r1`, { method: 'PUT', token: a.token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(5000) }) });
  assert.equal(big.status, 413);
  assert.equal(big.json().error.code, 'HTTP_ERR_BODY_TOO_LARGE');
  const malformed = await request(`${a.url}/api/v1/reports/r1`, { method: 'PUT', token: a.token, headers: { 'content-type': 'application/json' }, body: '{"title": "t",' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json().error.code, 'HTTP_ERR_BODY_INVALID');
  const form = await request(`${a.url}/api/v1/reports/r1`, { method: 'PUT', token: a.token, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=t' });
  assert.equal(form.status, 415);

  const none = await request(`${a.url}/api/v1/nothing/here`, { token: a.token });
  assert.equal(none.status, 404);
  assert.equal(none.json().error.code, 'HTTP_ERR_NOT_FOUND');
  assert.equal((await request(`${a.url}/nothing`)).status, 404);
  const method = await request(`${a.url}/health`, { method: 'DELETE' });
  assert.equal(method.status, 405);
  assert.equal(method.headers.allow, 'GET');
  const ws = await request(`${a.url}/api/v1/stream`, { token: a.token });
  assert.equal(ws.status, 426);
  assert.equal((await request(`${a.url}/api/v1/reports/%E0%A4%A`, { token: a.token })).status, 400, 'bad percent-encoding in a parameter');
});

test('plugin routes: params, query and body schemas, raw answers, thrown statuses, timeouts; gone when the plugin is disabled', async (t) => {
  const a = await startApi(t, { config: { ...viewerConfig, requestTimeoutMs: 300 }, plugins: [reporter] });
  const put = await request(`${a.url}/api/v1/reports/r%201`, { method: 'PUT', token: a.token, headers: { 'content-type': 'application/json' }, body: '{"title":"Week 12","pages":3}' });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json().stored, 'r 1');
  const get = await request(`${a.url}/api/v1/reports/r%201?limit=5`, { token: VIEWER });
  assert.equal(get.status, 200, get.text);
  assert.deepEqual(get.json(), { id: 'r 1', query: { limit: 5, format: 'json' }, who: 'token:viewer-bot', saved: { title: 'Week 12', pages: 3 } });
  const csv = await request(`${a.url}/api/v1/reports/r1?format=csv`, { token: a.token });
  assert.equal(csv.status, 200);
  assert.match(String(csv.headers['content-type']), /text\/csv/);
  assert.match(csv.text, /^id,who\nr1,local:/);

  const badQuery = await request(`${a.url}/api/v1/reports/r1?limit=50&colour=red`, { token: a.token });
  assert.equal(badQuery.status, 400);
  const paths = badQuery.json().error.issues.map((i: { path: string }) => i.path).sort();
  assert.deepEqual(paths, ['query.colour', 'query.limit']);
  const badBody = await request(`${a.url}/api/v1/reports/r1`, { method: 'PUT', token: a.token, headers: { 'content-type': 'application/json' }, body: '{"pages":0}' });
  assert.equal(badBody.status, 400);
  assert.match(badBody.json().error.message, /body\.title is required/);
  assert.match(badBody.json().error.message, /body\.pages must be >= 1/);

  const missing = await request(`${a.url}/api/v1/reports/missing`, { token: a.token });
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json().error, { code: 'REPORTER_NOT_FOUND', message: 'no report "missing"' });
  const broken = await request(`${a.url}/api/v1/reports-broken`, { token: a.token });
  assert.equal(broken.status, 500);
  assert.equal(broken.json().error.code, 'HTTP_ERR_HANDLER');
  const slow = await request(`${a.url}/api/v1/reports-slow`, { token: a.token });
  assert.equal(slow.status, 504);
  assert.equal(slow.json().error.code, 'HTTP_ERR_TIMEOUT');

  const routes = (await request(`${a.url}/api/v1/routes`, { token: VIEWER })).json().routes;
  assert.ok(routes.some((r: { path: string; method: string }) => r.method === 'GET' && r.path === '/api/v1/reports/:id'));
  assert.ok(!routes.some((r: { method: string; path: string }) => r.method === 'PUT' && r.path === '/api/v1/reports/:id'), 'the viewer does not see what it may not call');

  const change = await a.tk.kernel.setPluginEnabled('reporter', false, a.tk.kernel.localPrincipal);
  assert.deepEqual(change.stopped, ['reporter']);
  const gone = await request(`${a.url}/api/v1/reports/r1`, { token: a.token });
  assert.equal(gone.status, 404);
  assert.equal((await request(`${a.url}/health`)).status, 200, 'the server itself is untouched');
  await a.tk.kernel.setPluginEnabled('reporter', true, a.tk.kernel.localPrincipal);
  await waitFor(() => a.tk.kernel.status().plugins.find((p) => p.id === 'reporter')?.state === 'started', 'reporter back');
  assert.equal((await request(`${a.url}/api/v1/reports/r1`, { token: a.token })).status, 200, 'registered again when it starts again');
});

test('large JSON answers are gzipped for clients that accept it', async (t) => {
  const a = await startApi(t);
  for (let i = 0; i < 40; i++) await a.emit('bulk.happened', { i, text: 'lorem ipsum '.repeat(30) });
  const r = await request(`${a.url}/api/v1/events?limit=40`, { token: a.token, headers: { 'accept-encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(JSON.parse(gunzipSync(r.body).toString('utf8')).events.length, 40);
});
