import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import WebSocket from 'ws';
import { probe, request, startApi, waitFor, type Api } from './helpers.js';

interface Client {
  ws: WebSocket;
  messages: { seq: number; type: string; project: string | null; data: Record<string, unknown> }[];
  closed: Promise<{ code: number; reason: string }>;
}

function wsUrl(a: Api, query = ''): string {
  return `${a.url.replace(/^http/, 'ws')}/api/v1/stream${query}`;
}

async function open(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, options);
  const messages: Client['messages'] = [];
  ws.on('message', (m) => messages.push(JSON.parse(String(m))));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

/** The HTTP status a refused upgrade answers with. */
function refused(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on('unexpected-response', (_req, res) => (resolve(res.statusCode ?? 0), res.resume(), ws.terminate()));
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
  });
}

const auth = (a: Api) => ({ headers: { authorization: `Bearer ${a.token}` } });
const streamClients = async (a: Api) => (await request(`${a.url}/status`)).json().http.stream as { ws: number; sse: number };

test('WebSocket: live events filtered by type prefix and project, as stored JSON', async (t) => {
  const a = await startApi(t);
  const c = await open(wsUrl(a, '?types=probe.build.*,probe.test.finished&project=/p/a'), auth(a));
  const all = await open(wsUrl(a), auth(a));
  await a.emit('build.started', { n: 1 }, '/p/a');
  await a.emit('build.started', { n: 2 }, '/p/b');
  await a.emit('file.changed', { n: 3 }, '/p/a');
  await a.emit('test.finished', { n: 4 }, '/p/a');
  await a.emit('test.started', { n: 5 }, '/p/a');
  await a.emit('build.finished', { n: 6 }, '/p/a');
  await waitFor(() => c.messages.length >= 3 && all.messages.length >= 6, 'messages');
  assert.deepEqual(c.messages.map((m) => [m.type, m.data.n]), [['probe.build.started', 1], ['probe.test.finished', 4], ['probe.build.finished', 6]]);
  assert.deepEqual(Object.keys(c.messages[0] as object).sort(), ['data', 'id', 'project', 'seq', 'severity', 'source', 'ts', 'type']);
  const seqs = all.messages.map((m) => m.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'each event once (the tap and the poll do not both deliver it)');
  await new Promise((r) => setTimeout(r, 700)); // past a poll
  assert.equal(all.messages.filter((m) => m.type.startsWith('probe.')).length, 6, 'still each event once after the poll ran');
  c.ws.close();
  all.ws.close();
  await waitFor(async () => (await streamClients(a)).ws === 0, 'clients gone');
});

test('WebSocket upgrades pass the same gates: token, Origin, Host, permission, filters, client limit', async (t) => {
  const guest = 'guest-token-0123456789abcdef';
  const a = await startApi(t, { config: { stream: { maxClients: 2 }, tokens: [{ tokenSha256: createHash('sha256').update(guest).digest('hex'), principal: 'guest-bot', role: 'guest' }] } });
  assert.equal(await refused(wsUrl(a), { headers: { authorization: `Bearer ${guest}` } }), 403, 'guest lacks events:read');
  assert.equal(await refused(wsUrl(a)), 401);
  assert.equal(await refused(wsUrl(a), { headers: { authorization: 'Bearer nope-nope-nope-nope' } }), 401);
  assert.equal(await refused(wsUrl(a), { ...auth(a), origin: 'http://evil.example' }), 403);
  assert.equal(await refused(wsUrl(a), { headers: { ...auth(a).headers, host: 'evil.example' } }), 403);
  assert.equal(await refused(wsUrl(a, '?types=NOT%20A%20TYPE'), auth(a)), 400);
  assert.equal(await refused(`${a.url.replace(/^http/, 'ws')}/api/v1/other`, auth(a)), 404);
  const login = await request(a.api.loginUrl() as string);
  const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0] as string;
  const viaCookie = await open(wsUrl(a), { headers: { cookie }, origin: a.url });
  const second = await open(wsUrl(a), auth(a));
  assert.equal(await refused(wsUrl(a), auth(a)), 503, 'maxClients');
  viaCookie.ws.close();
  second.ws.close();
});

test('WebSocket: a client that never reads is closed (1008) once its buffer passes the limit; others are still served', async (t) => {
  const a = await startApi(t, { config: { stream: { maxBufferedBytes: 64 * 1024 } } });
  const slow = await open(wsUrl(a, '?types=probe.blob.*'), auth(a));
  (slow.ws as unknown as { _socket: Socket })._socket.pause();
  const fine = await open(wsUrl(a), auth(a));
  const blob = 'x'.repeat(256 * 1024);
  for (let i = 0; i < 400 && !a.tk.logs.some((l) => l.code === 'HTTP_ERR_STREAM_SLOW'); i++) await a.emit('blob.made', { i, blob });
  const line = a.tk.logs.find((l) => l.code === 'HTTP_ERR_STREAM_SLOW');
  assert.ok(line, 'the slow client was cut off');
  t.diagnostic(`cut off after ${a.tk.events.filter((e) => e.type === 'probe.blob.made').length} events of 256 KiB`);
  assert.equal(line.transport, 'ws');
  assert.ok((line.buffered as number) > 64 * 1024);
  await waitFor(async () => (await streamClients(a)).ws === 1, 'the slow client is gone on the server');
  await a.emit('after.drop', { ok: true });
  await waitFor(() => fine.messages.some((m) => m.type === 'probe.after.drop'), 'the other client still receives');
  assert.equal((await request(`${a.url}/health`)).status, 200);
  const metrics = (await request(`${a.url}/metrics`)).text;
  assert.match(metrics, /devflow_http_stream_dropped_total\{transport="ws"\} 1/);
  (slow.ws as unknown as { _socket: Socket })._socket.resume();
  const closed = await slow.closed;
  assert.ok(closed.code === 1008 || closed.code === 1006, `closed with ${closed.code}`);
  fine.ws.close();
});

test('WebSocket keepalive: a client that does not answer pings is dropped', async (t) => {
  const a = await startApi(t, { config: { stream: { pingMs: 100 } } });
  const deaf = await open(wsUrl(a), { ...auth(a), autoPong: false });
  const live = await open(wsUrl(a), auth(a));
  const closed = await deaf.closed;
  assert.equal(closed.code, 1006, 'terminated');
  assert.equal(live.ws.readyState, WebSocket.OPEN);
  live.ws.close();
});

function sse(a: Api, query: string): Promise<{ events: { id: string; data: { type: string; data: Record<string, unknown>; seq: number } }[]; close(): void; status: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(`${a.url}/api/v1/events/stream${query}`);
    const req = httpRequest({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { authorization: `Bearer ${a.token}` }, agent: false }, (res) => {
      const events: { id: string; data: never }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) events.push({ id, data: JSON.parse(data) as never });
        }
      });
      resolve({ events, close: () => req.destroy(), status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

test('SSE: live events filtered by type and project, id = seq', async (t) => {
  const a = await startApi(t);
  const s = await sse(a, '?types=probe.deploy.*&project=/p/a');
  assert.equal(s.status, 200);
  await waitFor(async () => (await streamClients(a)).sse === 1, 'subscribed');
  await a.emit('deploy.started', { n: 1 }, '/p/a');
  await a.emit('deploy.started', { n: 2 }, '/p/b');
  await a.emit('build.started', { n: 3 }, '/p/a');
  await a.emit('deploy.finished', { n: 4 }, '/p/a');
  await waitFor(() => s.events.length >= 2, 'sse events');
  assert.deepEqual(s.events.map((e) => [e.data.type, e.data.data.n]), [['probe.deploy.started', 1], ['probe.deploy.finished', 4]]);
  assert.equal(s.events[0]?.id, String(s.events[0]?.data.seq));
  s.close();
  await waitFor(async () => (await streamClients(a)).sse === 0, 'unsubscribed');
});

test('SSE: a raw TCP client that never reads is cut off; the server keeps serving', async (t) => {
  const a = await startApi(t, { config: { stream: { maxBufferedBytes: 64 * 1024 } } });
  const u = new URL(a.url);
  const sock = connect(Number(u.port), u.hostname);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write(`GET /api/v1/events/stream?types=probe.blob.* HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${a.token}\r\n\r\n`);
  sock.pause();
  const ended = new Promise<void>((r) => sock.once('close', () => r()));
  await waitFor(async () => (await streamClients(a)).sse === 1, 'subscribed');
  const blob = 'y'.repeat(256 * 1024);
  for (let i = 0; i < 400 && !a.tk.logs.some((l) => l.code === 'HTTP_ERR_STREAM_SLOW'); i++) await a.emit('blob.made', { i, blob });
  const line = a.tk.logs.find((l) => l.code === 'HTTP_ERR_STREAM_SLOW');
  assert.equal(line?.transport, 'sse');
  await waitFor(async () => (await streamClients(a)).sse === 0, 'gone');
  assert.equal((await request(`${a.url}/health`)).status, 200);
  sock.resume();
  await ended;
});

test('events stored by another process reach the stream through the log poll, once each', async (t) => {
  const a = await startApi(t, { config: { stream: { pollMs: 50 } } });
  const c = await open(wsUrl(a, '?types=probe.*'), auth(a));
  const other = await createTestKernel({ plugins: [probe], home: a.tk.home, t });
  assert.equal(other.kernel.status().lease.held, false, 'the second process does not hold the lease');
  const remote = other.use(probe);
  await remote.emit('remote.happened', { from: 'other' });
  await a.emit('local.happened', { from: 'self' });
  await remote.emit('remote.happened', { from: 'other-2' });
  await waitFor(() => c.messages.length >= 3, 'three events');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(c.messages.map((m) => m.data.from).sort(), ['other', 'other-2', 'self']);
  const metrics = (await request(`${a.url}/metrics`)).text;
  assert.match(metrics, /devflow_events_ingested_total\{type="probe\.remote\.happened"\} 2/);
  c.ws.close();
});
