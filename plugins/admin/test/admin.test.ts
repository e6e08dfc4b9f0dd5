import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import { definePlugin } from '@devflow/plugin-sdk';
import { MAX_DATA_CHARS, viewEvent } from '../src/event-view.js';
import admin from '../src/index.js';

const noisy = definePlugin({
  id: 'noisy',
  version: '1.0.0',
  kernel: '^1.0.0',
  start(ctx) {
    return {
      emit: (noun: string, data: Record<string, unknown>, project?: string) => ctx.events.emit(`noisy.${noun}.happened`, data, { project: project ?? null }),
    };
  },
});
const broken = definePlugin({
  id: 'broken',
  version: '1.0.0',
  kernel: '^1.0.0',
  start() {
    throw new Error('cannot reach the thing');
  },
});

test('viewEvent cuts large data', () => {
  const big = { text: 'x'.repeat(5000) };
  const v = viewEvent({ seq: 1, id: 'a', type: 'a.b.c', source: 'a', project: null, ts: 0, severity: 'info', data: big });
  assert.equal(v.truncated, true);
  assert.ok(typeof v.data === 'string' && v.data.length <= MAX_DATA_CHARS + 1);
});

test('admin is loaded by its first-party id and reports plugin states with reasons', async (t) => {
  const tk = await createTestKernel({ plugins: [broken], config: { plugins: { admin: { enabled: true } } }, allowFailures: true, t });
  const r = await tk.callTool('devflow_status', {});
  assert.ok(r.ok, JSON.stringify(r));
  const value = r.value as { plugins: { id: string; state: string; reason: string | null; tools: number }[] };
  const byId = new Map(value.plugins.map((p) => [p.id, p]));
  assert.equal(byId.get('admin')?.state, 'started');
  assert.equal(byId.get('admin')?.tools, 5, 'the count of its tools; their names are in devflow_plugins_list');
  const list = await tk.as('admin').callTool('devflow_plugins_list', {});
  assert.ok(list.ok, JSON.stringify(list));
  const admin = (list.value as { plugins: { id: string; tools: string[] }[] }).plugins.find((p) => p.id === 'admin');
  assert.deepEqual(admin?.tools, ['devflow_audit_query', 'devflow_events_query', 'devflow_plugin_set_enabled', 'devflow_plugins_list', 'devflow_status']);
  assert.equal(byId.get('broken')?.state, 'failed');
  assert.match(byId.get('broken')?.reason ?? '', /KRN_ERR_START_FAILED: start threw: cannot reach the thing/);
});

test('devflow_events_query filters, pages newest first and stays bounded', async (t) => {
  const tk = await createTestKernel({ plugins: [admin, noisy], config: { plugins: { admin: { config: { maxEvents: 5 } } } }, t });
  const n = tk.use(noisy);
  const acks = [];
  for (let i = 0; i < 12; i++) acks.push(n.emit(i % 2 ? 'odd' : 'even', { i, blob: 'y'.repeat(2000) }, '/p/app'));
  await Promise.all(acks);

  const first = await tk.callTool('devflow_events_query', { types: ['noisy.odd.*', 'noisy.odd.happened'], limit: 50 });
  assert.ok(first.ok, JSON.stringify(first));
  const page = first.value as { events: { type: string; data: unknown; truncated?: boolean }[]; next: number | null };
  assert.equal(page.events.length, 5, 'capped by the plugin config maxEvents');
  assert.ok(page.events.every((e) => e.type === 'noisy.odd.happened' && e.truncated === true));
  assert.ok(page.next !== null);
  const second = await tk.callTool('devflow_events_query', { types: ['noisy.odd.happened'], cursor: page.next });
  assert.ok(second.ok);
  assert.equal((second.value as { events: unknown[] }).events.length, 1, '6 odd events: 5 then 1');

  const byProject = await tk.callTool('devflow_events_query', { project: '/p/app', since: '1h', limit: 1 });
  assert.ok(byProject.ok);
  assert.equal((byProject.value as { events: { project: string }[] }).events[0]?.project, '/p/app');

  const badSince = await tk.callTool('devflow_events_query', { since: 'last tuesday' });
  assert.equal(badSince.ok, false);
  assert.match(badSince.ok ? '' : badSince.error.message, /since "last tuesday"/);

  const badType = await tk.callTool('devflow_events_query', { types: ['Bad Type'] });
  assert.equal(badType.ok, false);
  assert.equal(badType.ok ? '' : badType.error.code, 'KRN_ERR_TOOL_INPUT');
});

test('a guest may read status but not the event log', async (t) => {
  const tk = await createTestKernel({ plugins: [admin], t });
  assert.equal((await tk.as('guest').callTool('devflow_status', {})).ok, true);
  const denied = await tk.as('guest').callTool('devflow_events_query', {});
  assert.equal(denied.ok, false);
  assert.equal(denied.ok ? '' : denied.error.code, 'KRN_ERR_FORBIDDEN');
  assert.equal(tk.kernel.audit.query({ outcome: 'denied' })[0]?.target, 'devflow_events_query');
});

test('admins list, disable and re-enable plugins; dependents follow; developers may not', async (t) => {
  const base = definePlugin({ id: 'base', version: '1.0.0', kernel: '^1.0.0', start: () => ({}) });
  const dependent = definePlugin({ id: 'dependent', version: '1.0.0', kernel: '^1.0.0', dependencies: { base: '^1.0.0' }, start: () => ({}) });
  const tk = await createTestKernel({ plugins: [admin, base, dependent], t });
  const admins = tk.as('admin');

  const dev = await tk.callTool('devflow_plugin_set_enabled', { plugin: 'base', enabled: false });
  assert.equal(dev.ok ? '' : dev.error.code, 'KRN_ERR_FORBIDDEN');
  assert.match(dev.ok ? '' : dev.error.message, /lacks plugins:manage/);

  const off = await admins.callTool('devflow_plugin_set_enabled', { plugin: 'base', enabled: false });
  assert.ok(off.ok, JSON.stringify(off));
  assert.deepEqual((off.value as { stopped: string[] }).stopped.sort(), ['base', 'dependent']);
  const list = await admins.callTool('devflow_plugins_list', {});
  const states = new Map((list.ok ? (list.value as { plugins: { id: string; state: string }[] }).plugins : []).map((p) => [p.id, p.state]));
  assert.equal(states.get('base'), 'disabled');
  assert.equal(states.get('dependent'), 'failed', 'a missing (disabled) dependency is the dependent\'s own problem');

  const on = await admins.callTool('devflow_plugin_set_enabled', { plugin: 'base', enabled: true });
  assert.ok(on.ok);
  assert.deepEqual((on.value as { started: string[] }).started.sort(), ['base', 'dependent']);

  const self = await admins.callTool('devflow_plugin_set_enabled', { plugin: 'admin', enabled: false });
  assert.equal(self.ok, false);
  assert.match(self.ok ? '' : self.error.message, /cannot disable itself/);

  const audit = await admins.callTool('devflow_audit_query', { action: 'plugins:disable' });
  assert.ok(audit.ok);
  const entries = (audit.value as { entries: { principal: string; target: string }[] }).entries;
  assert.deepEqual(entries.map((e) => [e.principal, e.target]), [['test:admin', 'base']]);
  const devAudit = await tk.callTool('devflow_audit_query', {});
  assert.equal(devAudit.ok ? '' : devAudit.error.code, 'KRN_ERR_FORBIDDEN');
});

test('the audit query pages newest first with a cursor', async (t) => {
  const tk = await createTestKernel({ plugins: [admin], t });
  for (let i = 0; i < 5; i++) await tk.callTool('devflow_status', {});
  const admins = tk.as('admin');
  const first = await admins.callTool('devflow_audit_query', { action: 'tool:call', limit: 3 });
  assert.ok(first.ok);
  const p1 = first.value as { entries: { seq: number }[]; next: number | null };
  assert.equal(p1.entries.length, 3);
  assert.ok(p1.entries[0]!.seq > p1.entries[2]!.seq);
  const second = await admins.callTool('devflow_audit_query', { action: 'tool:call', limit: 3, cursor: p1.next });
  assert.ok(second.ok);
  const p2 = second.value as { entries: { seq: number }[] };
  assert.ok(p2.entries.length >= 2 && p2.entries.every((e) => e.seq < p1.entries[2]!.seq));
});

test('devflow_plugin_set_enabled refuses plugins that are not configured and writes nothing', async (t) => {
  const tk = await createTestKernel({ plugins: [admin], t });
  const r = await tk.as('admin').callTool('devflow_plugin_set_enabled', { plugin: 'ghost', enabled: true });
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.error.code, 'KRN_ERR_PLUGIN_NOT_FOUND');
  assert.match(r.ok ? '' : r.error.message, /no plugin "ghost" is configured/);
  assert.ok(!tk.kernel.status().plugins.some((p) => p.id === 'ghost'));
  const huge = await tk.as('admin').callTool('devflow_plugin_set_enabled', { plugin: 'x'.repeat(5000), enabled: false });
  assert.equal(huge.ok ? '' : huge.error.code, 'KRN_ERR_TOOL_INPUT');
});
