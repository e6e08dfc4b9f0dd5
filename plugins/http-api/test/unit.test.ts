import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EventLogReader, EventQuery, KernelStatus, StoredEvent } from '@devflow/plugin-sdk';
import { TokenStore } from '../src/auth.js';
import { checkBind, isLoopbackHost } from '../src/config.js';
import { Feed } from '../src/feed.js';
import { matcher, parseFilter } from '../src/filter.js';
import { Router } from '../src/router.js';
import { safeSegments, type StaticMount } from '../src/static.js';
import { readiness } from '../src/status-view.js';
import { ensureLocalToken } from '../src/token-file.js';

const ev = (seq: number, type = 'a.b.c', project: string | null = null): StoredEvent => ({ seq, id: `id${seq}`, type, source: 'a', project, ts: seq, severity: 'info', data: {} });

test('router: literals, parameters, methods, overlaps, removal by plugin', () => {
  const r = new Router<string>();
  r.add('GET', '/api/v1/reports/:id', 'rep', 'one');
  r.add('GET', '/api/v1/reports', 'rep', 'list');
  r.add('POST', '/api/v1/reports/:id/pages/:page', 'rep', 'page');
  const m = r.match('GET', '/api/v1/reports/a%20b');
  assert.equal(m.kind, 'route');
  assert.deepEqual(m.kind === 'route' && [m.route.value, m.params], ['one', { id: 'a b' }]);
  assert.deepEqual(r.match('DELETE', '/api/v1/reports/x'), { kind: 'method', allowed: ['GET'] });
  assert.deepEqual(r.match('GET', '/api/v1/nope'), { kind: 'none' });
  assert.equal(r.match('GET', '/api/v1/reports/%zz').kind, 'bad-path');
  assert.equal(r.match('GET', '/api/v1/reports/a%00').kind, 'bad-path');
  assert.equal(r.match('GET', '/api/v1/reports/').kind, 'none', 'an empty parameter does not match');
  assert.throws(() => r.add('GET', '/api/v1/reports/special', 'other', 'x'), /HTTP_ERR_ROUTE_DUPLICATE: GET \/api\/v1\/reports\/special \(plugin "other"\) overlaps GET \/api\/v1\/reports\/:id of plugin "rep"/);
  r.add('PUT', '/api/v1/reports/special', 'other', 'put');
  for (const bad of ['api/v1/x', '/api/v1/../x', '/api/v1/a b', '/api/v1/:id/:id']) assert.throws(() => r.add('GET', bad, 'p', 'x'), /HTTP_ERR_ROUTE_INVALID/);
  assert.equal(r.removePlugin('rep'), 3);
  assert.deepEqual(r.match('GET', '/api/v1/reports/x'), { kind: 'none' });
  assert.deepEqual(r.match('GET', '/api/v1/reports/special'), { kind: 'method', allowed: ['PUT'] });
});

test('filters: comma lists, prefixes, project; bad patterns refused', () => {
  const f = parseFilter({ types: 'git-monitor.*,test-monitor.run.finished', project: '/p' });
  const m = matcher(f);
  assert.equal(m(ev(1, 'git-monitor.commit.created', '/p')), true);
  assert.equal(m(ev(1, 'git-monitor.commit.created', '/q')), false);
  assert.equal(m(ev(1, 'test-monitor.run.finished', '/p')), true);
  assert.equal(m(ev(1, 'test-monitor.run.started', '/p')), false);
  assert.equal(m(ev(1, 'git-monitorx.a.b', '/p')), false, 'a prefix ends at the dot');
  assert.equal(parseFilter({ types: '*' }).types, undefined);
  assert.equal(parseFilter({ types: ['a.*', 'b.c.d'] }).types?.length, 2);
  for (const bad of ['A.b', 'a..b', 'a.*.b', 'a b', 'x'.repeat(201)]) assert.throws(() => parseFilter({ types: bad }), /HTTP_ERR_INPUT|types/);
  assert.throws(() => parseFilter({ types: Array.from({ length: 21 }, (_, i) => `a${i}.*`).join(',') }), /at most 20/);
  assert.throws(() => parseFilter({ project: ['a', 'b'] }), /once/);
});

test('static paths: decoded segments inside the mount, traversal refused', () => {
  const mount: StaticMount = { plugin: 'p', prefix: '/docs', dir: '/srv', root: '/srv', spa: false };
  assert.deepEqual(safeSegments(mount, '/docs/a/b%20c.txt'), ['a', 'b c.txt']);
  assert.deepEqual(safeSegments(mount, '/docs//a'), ['a']);
  for (const bad of ['/docs/..', '/docs/%2e%2e/x', '/docs/a%2fb', '/docs/a%5cb', '/docs/a%00', '/docs/%e0%a4%a', '/docs/a\\..\\b', '/docs/.']) {
    assert.throws(() => safeSegments(mount, bad), (e: Error & { status?: number }) => e.status === 400, bad);
  }
});

test('tokens and sessions: constant-time lookup, signed expiring cookies', () => {
  const store = new TokenStore('local-token-0123456789-0123456789-abcdef', { tokens: [{ tokenSha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', principal: 'ci', role: 'viewer' }], localRole: 'admin', sessionTtlHours: 1 });
  assert.equal(store.fromToken('local-token-0123456789-0123456789-abcdef')?.role, 'admin');
  assert.equal(store.fromToken('test')?.id, 'token:ci', 'tokenSha256 of "test"');
  assert.equal(store.fromHeader(undefined), 'missing');
  assert.equal(store.fromHeader('Basic abc'), 'invalid');
  assert.equal(store.fromHeader('Bearer nope'), 'invalid');
  const ci = store.fromToken('test');
  assert.ok(ci);
  const now = 1_700_000_000_000;
  const value = store.issueSession(ci, now);
  assert.equal(store.fromCookie(`a=b; devflow_session=${value}`, now + 1000)?.id, 'token:ci');
  assert.equal(store.fromCookie(`devflow_session=${value}`, now + 3_600_001), undefined, 'expired');
  const [id, exp, sig] = value.split('.') as [string, string, string];
  assert.equal(store.fromCookie(`devflow_session=${id}.${(parseInt(exp, 36) + 1e9).toString(36)}.${sig}`, now), undefined, 'a changed expiry breaks the signature');
  const other = new TokenStore('another-local-token-0123456789-0123456789', { tokens: [], localRole: 'admin', sessionTtlHours: 1 });
  assert.equal(other.fromCookie(`devflow_session=${value}`, now), undefined, 'a new token file ends old sessions');
  assert.match(store.sessionCookie(ci), /HttpOnly; SameSite=Strict; Max-Age=3600$/);
});

test('bind check: loopback is fine; beyond it needs tokens and no anonymous exemption', () => {
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) assert.ok(!isLoopbackHost(h), h);
  assert.doesNotThrow(() => checkBind({ host: '127.0.0.1', tokens: [], anonymousLoopback: true }));
  assert.throws(() => checkBind({ host: '0.0.0.0', tokens: [], anonymousLoopback: false }), /HTTP_ERR_INSECURE_BIND.*no tokens/);
  const tokens = [{ tokenSha256: 'a'.repeat(64), principal: 'x', role: 'viewer' }];
  assert.throws(() => checkBind({ host: '0.0.0.0', tokens, anonymousLoopback: true }), /anonymousLoopback/);
  assert.doesNotThrow(() => checkBind({ host: '0.0.0.0', tokens, anonymousLoopback: false }));
});

test('token file: two creators agree on one token, mode 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-token-'));
  try {
    const a = ensureLocalToken(join(dir, 'cfg'));
    const b = ensureLocalToken(join(dir, 'cfg'));
    assert.equal(a.token, b.token);
    assert.deepEqual(b.notes, []);
    assert.equal(statSync(a.file).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A log another process appends to behind our back. */
class FakeLog implements EventLogReader {
  rows: StoredEvent[] = [];
  query(f: EventQuery = {}) {
    let rows = this.rows.filter((e) => f.after === undefined || (f.descending ? e.seq < f.after : e.seq > f.after));
    if (f.descending) rows = [...rows].reverse();
    rows = rows.slice(0, f.limit ?? 100);
    return { events: rows, next: null };
  }
  count() {
    return this.rows.length;
  }
  get() {
    return undefined;
  }
}

test('feed: the tap and the poll meet by seq; every event once, interleaved processes included', () => {
  const log = new FakeLog();
  log.rows.push(ev(1), ev(2));
  const seen: number[] = [];
  const feed = new Feed(log, (e) => seen.push(e.seq), () => {});
  feed.start(60_000);
  const got: number[] = [];
  feed.subscribe({ match: () => true, send: (json) => got.push(JSON.parse(json).seq) });
  // we store 3 and 5; another process stored 4 in between
  log.rows.push(ev(3), ev(4), ev(5));
  feed.stored([ev(3), ev(5)]);
  assert.deepEqual(got, [], 'delivered on the next turn, outside the ingest commit');
  feed.flush();
  assert.deepEqual(got, [3, 5], 'ours first');
  feed.poll();
  assert.deepEqual(got, [3, 5, 4], 'theirs from the log, ours not again');
  feed.stored([ev(5)]);
  feed.poll();
  assert.deepEqual(got, [3, 5, 4]);
  log.rows.push(ev(6));
  feed.poll();
  feed.stored([ev(6)]);
  feed.flush();
  assert.deepEqual(got, [3, 5, 4, 6], 'a late tap for an event the poll already passed is ignored');
  assert.deepEqual(seen, got);
  feed.stop();
});

test('readiness: settled states pass; starting or reason-less failures do not', () => {
  const p = (id: string, state: string, reason: string | null = null) => ({ id, state, reason }) as unknown as KernelStatus['plugins'][number];
  const s = (plugins: KernelStatus['plugins']) => ({ plugins }) as KernelStatus;
  assert.equal(readiness(s([p('a', 'started'), p('b', 'failed', 'KRN_ERR_START_FAILED: x'), p('c', 'disabled'), p('d', 'standby', 'lease')])).ready, true);
  const r = readiness(s([p('a', 'started'), p('b', 'starting')]));
  assert.equal(r.ready, false);
  assert.deepEqual(r.waiting, [{ id: 'b', state: 'starting', reason: null }]);
});
