import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { ChannelRegistry, type ChannelEnv, type Message } from '../src/index.js';
import { startReceiver } from './server.js';

const msg: Message = { kind: 'alert', title: 'Deploy failed in app', body: 'exit 1', severity: 'error', project: '/p/app', rule: 'deploy-failed', source: 'notifications', key: 'deploy-failed|/p/app', at: Date.parse('2026-01-10T10:00:00Z') };

function env(vars: Record<string, string> = {}) {
  const sleeps: number[] = [];
  const logs: string[] = [];
  const e: ChannelEnv = {
    env: vars,
    platform: 'linux',
    fetch: (...a) => fetch(...a),
    sleep: async (ms) => void sleeps.push(ms), // no real waiting: the delays are asserted instead
    run: async () => ({ code: 0 }),
    exists: () => false,
    log: (_l, obj, m) => void logs.push(JSON.stringify(obj) + m),
  };
  return { e, sleeps, logs };
}

test('slack: POSTs {text, blocks}; "ok", then 429 with Retry-After honoured, then 500 retried', async (t) => {
  const srv = await startReceiver(t, [{ status: 200, body: 'ok' }, { status: 429, body: 'rate_limited', headers: { 'retry-after': '7' } }, { status: 200, body: 'ok' }, { status: 500 }, { status: 503 }, { status: 200, body: 'ok' }]);
  const { e, sleeps } = env({ SLACK_URL: `${srv.base}/services/T0/B0/SECRETTOKEN` });
  const slack = new ChannelRegistry({ team: { type: 'slack', urlEnv: 'SLACK_URL', retries: 3 } }, e).get('team');
  assert.ok(!('missing' in slack));
  assert.equal(slack.target, `${srv.base}/…`, 'target shows scheme and host only');
  assert.ok(!slack.target.includes('SECRETTOKEN'));

  assert.deepEqual(await slack.send(msg), { ok: true, attempts: 1 });
  const first = srv.received[0]!;
  assert.equal(first.path, '/services/T0/B0/SECRETTOKEN');
  assert.equal(first.headers['content-type'], 'application/json');
  assert.equal(first.json.text, ':rotating_light: *Deploy failed in app*\nexit 1');
  assert.equal((first.json.blocks as unknown[]).length, 3);

  assert.deepEqual(await slack.send(msg), { ok: true, attempts: 2 });
  assert.deepEqual(sleeps, [7000], 'waited what Retry-After said');

  assert.deepEqual(await slack.send(msg), { ok: true, attempts: 3 });
  assert.deepEqual(sleeps, [7000, 1000, 2000], 'exponential backoff on 5xx');
  assert.equal(srv.received.length, 6);
});

test('webhook: JSON body with an HMAC-SHA256 signature the receiver can verify; 4xx not retried; gives up after retries', async (t) => {
  const srv = await startReceiver(t, [{ status: 200 }, { status: 404 }, { status: 500 }, { status: 500 }, { status: 500 }]);
  const { e, sleeps } = env({ HOOK_SECRET: 'hmac-secret-456' });
  const hook = new ChannelRegistry({ hook: { type: 'webhook', url: `${srv.base}/hook?token=abc`, secretEnv: 'HOOK_SECRET', retries: 2, headers: { 'x-team': 'core' } } }, e).get('hook');
  assert.ok(!('missing' in hook));
  assert.deepEqual(await hook.send(msg), { ok: true, attempts: 1 });
  const r = srv.received[0]!;
  assert.equal(r.json.title, 'Deploy failed in app');
  assert.equal(r.json.at, '2026-01-10T10:00:00.000Z');
  assert.equal(r.headers['x-team'], 'core');
  const ts = String(r.headers['x-devflow-timestamp']);
  const expected = `sha256=${createHmac('sha256', 'hmac-secret-456').update(`${ts}.${r.body}`).digest('hex')}`;
  assert.equal(r.headers['x-devflow-signature'], expected);

  const notFound = await hook.send(msg);
  assert.equal(notFound.ok, false);
  assert.match((notFound as { reason: string }).reason, /^HTTP 404 \(not retried/);
  const failed = await hook.send(msg);
  assert.deepEqual(failed, { ok: false, attempts: 3, reason: 'HTTP 500 after 3 attempt(s)' });
  assert.deepEqual(sleeps, [1000, 2000]);
  for (const x of [notFound, failed]) assert.ok(!JSON.stringify(x).includes('token=abc') && !JSON.stringify(x).includes('hmac-secret'));
});

test('webhook: unreachable and timing-out receivers fail with a reason that holds no URL', async (t) => {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const { e } = env();
  const dead = new ChannelRegistry({ dead: { type: 'webhook', url: `http://127.0.0.1:${closedPort}/secret-path`, retries: 1, timeoutMs: 500 } }, e).get('dead');
  assert.ok(!('missing' in dead));
  const r = await dead.send(msg);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /^network error ECONNREFUSED after 2 attempt\(s\)$/);
  // a receiver that never answers: the timeout ends each attempt
  const silent = await startReceiver(t, [{ status: 200, delayMs: 2000 }, { status: 200, delayMs: 2000 }]);
  const slow = new ChannelRegistry({ slow: { type: 'webhook', url: `${silent.base}/secret-path`, retries: 1, timeoutMs: 150 } }, e).get('slow');
  assert.ok(!('missing' in slow));
  const s = await slow.send(msg);
  assert.deepEqual(s, { ok: false, attempts: 2, reason: 'timed out after 150 ms after 2 attempt(s)' });
  for (const x of [r, s]) assert.ok(!JSON.stringify(x).includes('secret-path'));
});

test('webhook without a URL, or with its variables unset, is unavailable with a reason', () => {
  const { e } = env();
  const reg = new ChannelRegistry({ a: { type: 'webhook' }, b: { type: 'slack', urlEnv: 'NOPE' }, c: { type: 'webhook', url: 'http://x.test/h', secretEnv: 'NOSECRET' }, d: { type: 'pager' } }, e);
  const av = (n: string) => {
    const ch = reg.get(n);
    return 'missing' in ch ? ch.missing : ch.availability();
  };
  assert.deepEqual(av('a'), { ok: false, reason: 'channel "a" has no url or urlEnv' });
  assert.deepEqual(av('b'), { ok: false, reason: 'environment variable NOPE (urlEnv of channel "b") is not set' });
  assert.deepEqual(av('c'), { ok: false, reason: 'environment variable NOSECRET (secretEnv of channel "c") is not set' });
  assert.match(String(av('d')), /type "pager", which no running plugin provides/);
  assert.match(String(av('zzz')), /no channel named "zzz"/);
  reg.registerType('pager', (name) => ({ name, type: 'pager', target: 'pager', availability: () => ({ ok: true }), send: async () => ({ ok: true, attempts: 1 }) }));
  assert.deepEqual(av('d'), { ok: true }, 'a type registered later is picked up');
});
