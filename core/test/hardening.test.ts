// Edge cases found in review: what hooks may not do to an event, optional dependencies out of
// range, cached tool answers and the output schema, a shutdown hook that never settles, table
// prefixes of plugins whose ids share a start, and group commit for one-at-a-time emitters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DraftEvent } from '@devflow/plugin-sdk';
import { createTestKernel } from '../src/testing/index.js';
import { plugin } from './fixtures/kernel-helpers.js';

const emitter = plugin('emitter', { start: (ctx) => ({ emit: (data: Record<string, unknown>) => ctx.events.emit('emitter.thing.happened', data) }) });

test('a tap cannot re-attribute an event: id, type and source stay the emitter\'s', async (t) => {
  const forger = plugin('forger', {
    start: (ctx) => {
      ctx.hooks.tap('eventBeforeStore', (e: DraftEvent) => ({ ...e, id: 'forged', type: 'admin.secret.leaked', source: 'admin', data: { ...e.data, seen: true } }));
    },
  });
  const tk = await createTestKernel({ plugins: [emitter, forger], t });
  const stored = await tk.use(emitter).emit({ n: 1 });
  assert.ok(stored);
  assert.equal(stored.type, 'emitter.thing.happened');
  assert.equal(stored.source, 'emitter');
  assert.notEqual(stored.id, 'forged');
  assert.deepEqual(stored.data, { n: 1, seen: true }, 'enrichment is kept');
});

test('a redaction tap that breaks the data gets the event refused, not stored unredacted, and the log keeps flowing', async (t) => {
  let broken = true;
  const redactor = plugin('redactor', {
    start: (ctx) => {
      ctx.hooks.tap('eventBeforeStore', (e: DraftEvent) => (broken ? { ...e, data: undefined as never } : { ...e, data: { redacted: true } }));
    },
  });
  const tk = await createTestKernel({ plugins: [emitter, redactor], t });
  const api = tk.use(emitter);
  assert.throws(() => api.emit({ secret: 'hunter2' }), (e: Error & { code?: string }) => e.code === 'KRN_ERR_EVENT_INVALID' && /after the eventBeforeStore hooks/.test(e.message));
  broken = false;
  const ok = await api.emit({ secret: 'hunter2' });
  assert.deepEqual(ok?.data, { redacted: true });
  const rows = tk.kernel.events.query({ types: ['emitter.*'] }).events;
  assert.equal(rows.length, 1);
  assert.ok(!JSON.stringify(rows).includes('hunter2'), 'the secret never reached the log');
  assert.equal(tk.kernel.status().ingest.pending, 0);
});

test('an optional dependency outside its range is absent to ctx.use, even though it runs', async (t) => {
  const old = plugin('old-dep', { version: '1.2.0', start: () => ({ hello: 'from old' }) });
  let seen: unknown = 'unset';
  const user = plugin('user', { optionalDependencies: { 'old-dep': '^2.0.0' }, start: (ctx) => void (seen = ctx.use('old-dep')) });
  const tk = await createTestKernel({ plugins: [old, user], t });
  assert.equal(seen, undefined);
  assert.deepEqual(tk.kernel.pluginApi('old-dep'), { hello: 'from old' });
});

test('a cached answer from beforeToolCall must match the outputSchema too', async (t) => {
  const tools = plugin('tools', {
    permissions: ['tools:read'],
    start: (ctx) => {
      ctx.tools.register(
        {
          name: 'tools_answer',
          description: 'Answers with a number.',
          permission: 'tools:read',
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
        },
        () => ({ n: 1 }),
      );
    },
  });
  const cache = plugin('cache', { start: (ctx) => void ctx.hooks.tap('beforeToolCall', () => ({ result: { n: 'not a number' } })) });
  const tk = await createTestKernel({ plugins: [tools, cache], t });
  const r = await tk.callTool('tools_answer', {});
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error.message, /does not match its outputSchema: n must be integer/);
});

test('a beforeShutdown tap that never settles cannot hang stop', async () => {
  const hang = plugin('hang', { start: (ctx) => void ctx.hooks.tap('beforeShutdown', () => new Promise<void>(() => {})) });
  const tk = await createTestKernel({ plugins: [hang], config: { kernel: { stopTimeoutMs: 50 } } });
  await tk.close();
  assert.ok(tk.logs.some((l) => l.code === 'KRN_ERR_HOOK_FAILED' && /beforeShutdown taps did not finish within 50 ms/.test(String(l.msg))));
});

test('plugin "git" cannot create tables in "git-monitor"\'s prefix', async (t) => {
  const git = plugin('git', { migrations: [{ version: 1, name: 'sneaky', up: 'CREATE TABLE git_monitor__commits (x)' }] });
  const monitor = plugin('git-monitor', { migrations: [{ version: 1, name: 'own', up: 'CREATE TABLE git_monitor__commits (hash TEXT)' }] });
  const tk = await createTestKernel({ plugins: [git, monitor], allowFailures: true, t });
  const states = new Map(tk.kernel.status().plugins.map((p) => [p.id, p]));
  assert.equal(states.get('git')?.code, 'KRN_ERR_MIGRATION_PREFIX');
  assert.match(states.get('git')?.reason ?? '', /prefix "git__"/);
  assert.equal(states.get('git-monitor')?.state, 'started');
});

test('one-at-a-time emitters are committed at the end of each turn, not held for a timer', async (t) => {
  const tk = await createTestKernel({ plugins: [emitter], t });
  const api = tk.use(emitter);
  for (let i = 0; i < 50; i++) {
    const stored = await api.emit({ i });
    assert.equal(stored?.data.i, i);
  }
  assert.equal(tk.kernel.events.count({ types: ['emitter.*'] }), 50);
});
