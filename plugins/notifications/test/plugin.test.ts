import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { createTestKernel, eventSources, replay, type RecordedEvent } from '@devflow/core/testing';
import notifications from '../src/index.js';
import { startReceiver } from './server.js';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/deploys.json', import.meta.url), 'utf8')) as RecordedEvent[];
const sources = eventSources([...fixture, { type: 'bottleneck-detector.bottleneck.opened' }]);
const SECRET_PATH = '/hooks/T000/SECRET-TOKEN-123';
process.env.NOTIFY_TEST_HMAC = 'hmac-secret-456';

const sentEvent = (channel: string) => (e: { type: string; data: Record<string, unknown> }) => e.type === 'notifications.notification.sent' && e.data.channel === channel;

function config(base: string, extra: Record<string, unknown> = {}) {
  return {
    plugins: {
      notifications: {
        config: {
          defaultChannels: ['log'],
          channels: { hook: { type: 'webhook', url: `${base}${SECRET_PATH}`, secretEnv: 'NOTIFY_TEST_HMAC', retries: 1 }, desktop: { type: 'desktop', enabled: false } },
          rules: [{ name: 'deploy-failed', channels: ['hook', 'log'] }],
          ...extra,
        },
      },
    },
  };
}

test('a failed deploy fires the shipped rule: signed webhook POST, event, recent list; secrets never logged', async (t) => {
  const srv = await startReceiver(t, [{ status: 200 }, { status: 500 }, { status: 500 }]);
  const tk = await createTestKernel({ plugins: [notifications, ...sources], config: config(srv.base), t });
  await replay(tk, fixture);
  const sent = await tk.waitForEvent(sentEvent('hook'), 3000);
  assert.deepEqual(sent.data, { rule: 'deploy-failed', channel: 'hook', key: 'deploy-failed|/work/app', severity: 'error', title: 'Deploy failed in app', kind: 'alert', deduplicated: false });
  const [req] = await srv.waitFor(1);
  assert.equal(req!.path, SECRET_PATH);
  assert.equal(req!.json.body, '`npm run deploy` exited with 3 on main');
  assert.equal(req!.headers['x-devflow-signature'], `sha256=${createHmac('sha256', 'hmac-secret-456').update(`${req!.headers['x-devflow-timestamp']}.${req!.body}`).digest('hex')}`);

  // a notify() through the API that fails: the warning names the channel, never the URL or secret
  const api = tk.use(notifications);
  const failed = await api.notify({ title: 'from reports', severity: 'warn', channels: ['hook'], key: 'rep-1', source: 'reports' });
  assert.equal(failed.outcome, 'failed');
  assert.match(failed.suppressed!, /^hook: failed \(HTTP 500 after 2 attempt\(s\)\)$/);
  const warn = tk.logs.find((l) => l.code === 'NOTIFY_ERR_DELIVERY_FAILED');
  assert.match(String(warn?.msg), /delivery to channel "hook" \(webhook, http:\/\/127\.0\.0\.1:\d+\/…\) failed: HTTP 500 after 2 attempt\(s\)/);

  const recent = await tk.callTool('notifications_recent', { since: '1h' });
  assert.ok(recent.ok, JSON.stringify(recent));
  const rows = (recent.value as { notifications: { rule: string | null; outcome: string; delivered: string[]; title: string }[] }).notifications;
  assert.deepEqual(rows.map((r) => [r.rule, r.title, r.outcome, r.delivered]), [
    [null, 'from reports', 'failed', []],
    ['deploy-failed', 'Deploy failed in app', 'delivered', ['hook', 'log']],
  ]);
  const everything = JSON.stringify(tk.logs) + JSON.stringify(recent) + JSON.stringify(await tk.callTool('notifications_rules', {}));
  assert.ok(!everything.includes('SECRET-TOKEN-123'), 'webhook path never logged or shown');
  assert.ok(!everything.includes('hmac-secret-456'), 'HMAC key never logged or shown');
  assert.equal(tk.events.filter((e) => e.type.startsWith('notifications.')).length, 2, 'hook + log');
});

test('a rule with a bad expression is reported by name and column; the other rules keep working; unknown channel reported', async (t) => {
  const tk = await createTestKernel({
    plugins: [notifications, ...sources],
    config: {
      plugins: {
        notifications: {
          config: {
            defaultRules: false,
            defaultChannels: ['log'],
            rules: [
              { name: 'broken', on: 'test-monitor.*', when: 'data.failed >> 1', title: 'never' },
              { name: 'commits', on: 'git-monitor.commit.created', when: 'data.subject == "fix"', title: 'commit {data.hash}', channels: ['log', 'pager'] },
            ],
          },
        },
      },
    },
    t,
  });
  const bad = tk.logs.find((l) => l.code === 'NOTIFY_ERR_RULE_INVALID');
  assert.equal(bad?.rule, 'broken');
  assert.equal(bad?.plugin, 'notifications');
  assert.match(String(bad?.msg), /rule "broken" is not used: when expression "data.failed >> 1" is invalid: syntax error at column 14/);
  const unknown = tk.logs.find((l) => l.code === 'NOTIFY_ERR_CHANNEL_UNKNOWN');
  assert.match(String(unknown?.msg), /rule "commits" names channel "pager", which is not configured/);
  await replay(tk, fixture);
  const e = await tk.waitForEvent(sentEvent('log'), 3000);
  assert.equal(e.data.title, 'commit abc');
  const list = await tk.callTool('notifications_rules', {});
  assert.ok(list.ok);
  const v = list.value as { rules: { name: string; fired: number }[]; invalid: { rule: string; code: string }[] };
  assert.deepEqual(v.rules.map((r) => [r.name, r.fired]), [['commits', 1]]);
  assert.deepEqual(v.invalid.map((i) => [i.rule, i.code]), [['broken', 'NOTIFY_ERR_RULE_INVALID'], ['commits', 'NOTIFY_ERR_CHANNEL_UNKNOWN']]);
});

test('notifications_rules: viewers list, developers enable/disable (persisted across restarts) and test', async (t) => {
  const srv = await startReceiver(t);
  const home = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'notify-'));
  t.after(() => (import('node:fs')).then((fs) => fs.rmSync(home, { recursive: true, force: true })));
  const tk = await createTestKernel({ plugins: [notifications, ...sources], config: config(srv.base), home });
  const viewer = tk.as('viewer');
  const listed = await viewer.callTool('notifications_rules', { action: 'list' });
  assert.ok(listed.ok);
  const rules = (listed.value as { rules: { name: string; enabled: boolean; enabledBy: string }[] }).rules;
  assert.deepEqual(rules.map((r) => [r.name, r.enabled, r.enabledBy]), [['deploy-failed', true, 'config'], ['tests-red', true, 'default'], ['bottleneck-error', false, 'default'], ['stage-changed', false, 'default']]);
  const denied = await viewer.callTool('notifications_rules', { action: 'disable', rule: 'deploy-failed' });
  assert.equal(denied.ok ? '' : denied.error.code, 'KRN_ERR_FORBIDDEN');
  assert.equal((await tk.as('guest').callTool('notifications_recent', {})).ok, false);

  const off = await tk.callTool('notifications_rules', { action: 'disable', rule: 'deploy-failed' });
  assert.ok(off.ok, JSON.stringify(off));
  const on = await tk.callTool('notifications_rules', { action: 'enable', rule: 'bottleneck-error' });
  assert.ok(on.ok);
  const noSuch = await tk.callTool('notifications_rules', { action: 'enable', rule: 'nope' });
  assert.match(noSuch.ok ? '' : noSuch.error.message, /no rule named "nope"; known: deploy-failed, tests-red/);

  const testHook = await tk.callTool('notifications_rules', { action: 'test', channel: 'hook' });
  assert.ok(testHook.ok);
  assert.deepEqual((testHook.value as { test: { delivered: string[] } }).test.delivered, ['hook']);
  assert.equal((await srv.waitFor(1))[0]!.json.kind, 'test');
  const testRule = await tk.callTool('notifications_rules', { action: 'test', rule: 'deploy-failed' });
  assert.ok(testRule.ok);
  assert.deepEqual((testRule.value as { test: { delivered: string[] } }).test.delivered, ['hook', 'log']);
  assert.equal(srv.received[1]!.json.title, 'Deploy failed in test-project');
  await tk.close();

  // restart on the same database: the override holds; the disabled rule stays quiet, the enabled one fires
  const tk2 = await createTestKernel({ plugins: [notifications, ...sources], config: config(srv.base), home, t });
  const againR = await tk2.callTool('notifications_rules', {});
  assert.ok(againR.ok);
  const again = againR.value as { rules: { name: string; enabled: boolean; enabledBy: string }[] };
  assert.deepEqual(again.rules.filter((r) => r.enabledBy === 'override').map((r) => [r.name, r.enabled]), [['deploy-failed', false], ['bottleneck-error', true]]);
  await replay(tk2, [fixture[1]!, { type: 'bottleneck-detector.bottleneck.opened', project: '/work/app', data: { key: 'red-tests:/work/app', severity: 'error', title: 'Tests red for 3 h', suggestion: 'fix the flaky test' } }]);
  const fired = await tk2.waitForEvent(sentEvent('log'), 3000);
  assert.equal(fired.data.rule, 'bottleneck-error');
  assert.equal(srv.received.length, 2, 'no webhook for the disabled deploy rule');
});

test('history never alerts: events stored before the plugin first ran, and events already handled before a restart', async (t) => {
  const srv = await startReceiver(t);
  const home = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'notify-'));
  t.after(() => (import('node:fs')).then((fs) => fs.rmSync(home, { recursive: true, force: true })));
  const before = await createTestKernel({ plugins: [...sources], home });
  await replay(before, fixture);
  await before.close();

  const tk = await createTestKernel({ plugins: [notifications, ...sources], config: config(srv.base, { rules: [{ name: 'deploy-failed', channels: ['hook', 'log'] }, { name: 'marker', on: 'git-monitor.commit.created', title: 'marker {data.hash}' }] }), home });
  await replay(tk, [fixture[2]!]); // a live event after start, to know the log was read
  const m = await tk.waitForEvent(sentEvent('log'), 3000);
  assert.equal(m.data.title, 'marker abc');
  await replay(tk, [fixture[1]!]);
  await tk.waitForEvent(sentEvent('hook'), 3000);
  assert.equal(srv.received.length, 1, 'only the live deploy, not the stored one');
  await tk.close();

  const tk2 = await createTestKernel({ plugins: [notifications, ...sources], config: config(srv.base, { rules: [{ name: 'marker', on: 'git-monitor.commit.created', title: 'marker {data.hash}', dedupKey: '{data.hash}' }] }), home, t });
  await replay(tk2, [{ ...fixture[2]!, data: { hash: 'def' } }]);
  const m2 = await tk2.waitForEvent((e) => sentEvent('log')(e) && e.data.title === 'marker def', 3000);
  assert.ok(m2);
  assert.equal(tk2.events.filter((e) => e.type === 'notifications.notification.sent').length, 1, 'nothing from before the restart was sent again');
  assert.equal(srv.received.length, 1);
});

test('notify() API: delivered channels, then a duplicate key is suppressed with the reason; bad input is refused', async (t) => {
  const tk = await createTestKernel({ plugins: [notifications], config: { plugins: { notifications: { config: { defaultChannels: ['log'], defaultRules: false } } } }, t });
  const api = tk.use(notifications);
  const a = await api.notify({ title: 'Weekly report ready', severity: 'info', key: 'report-w2', source: 'reports', attachments: [{ name: 'week.html', path: '/tmp/week.html' }] });
  assert.deepEqual([a.channels, a.suppressed], [['log'], undefined]);
  const b = await api.notify({ title: 'Weekly report ready', severity: 'info', key: 'report-w2', source: 'reports' });
  assert.deepEqual(b.channels, []);
  assert.match(b.suppressed!, /^duplicate: key "report-w2" was notified at .*, within the 30-minute cooldown$/);
  await assert.rejects(api.notify({ title: '', severity: 'info' }), /n.title must be a non-empty string/);
  await assert.rejects(api.notify({ title: 'x', severity: 'fatal' as 'info' }), /n.severity must be one of info, warn, error/);
  const logged = tk.logs.find((l) => String(l.msg).startsWith('notification: Weekly report ready'));
  assert.equal(logged?.channel, 'log');
});

test('config: invalid channel settings are reported by name; an invalid config is refused by the kernel', async (t) => {
  const tk = await createTestKernel({
    plugins: [notifications],
    config: { plugins: { notifications: { config: { defaultRules: false, channels: { night: { type: 'log', quietHours: { start: '22:00', end: '07:00', timezone: 'Nowhere/City' } }, hook: { type: 'webhook' } } } } } },
    t,
  });
  const msgs = tk.logs.filter((l) => l.code === 'NOTIFY_ERR_CHANNEL_INVALID').map((l) => String(l.msg));
  assert.equal(msgs.length, 2);
  assert.match(msgs[0]!, /channel "night": quietHours ignored: time zone "Nowhere\/City" is unknown/);
  assert.match(msgs[1]!, /channel "hook": a webhook channel needs "url" or "urlEnv"/);
  await assert.rejects(createTestKernel({ plugins: [notifications], config: { plugins: { notifications: { config: { rules: [{ name: 'x', holdMinutes: -1 }] } } } } }), /\[notifications\] KRN_ERR_CONFIG_INVALID: .*holdMinutes must be >= 0/);
});

test('two processes on one database: only the lease holder evaluates, and it picks up events the other one stored', async (t) => {
  const srv = await startReceiver(t);
  const home = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'notify-'));
  t.after(() => (import('node:fs')).then((fs) => fs.rmSync(home, { recursive: true, force: true })));
  const cfg = config(srv.base, { pollSeconds: 1 });
  const holder = await createTestKernel({ plugins: [notifications, ...sources], config: cfg, home, t });
  const other = await createTestKernel({ plugins: [notifications, ...sources], config: cfg, home, t });
  assert.equal(holder.kernel.status().lease.held, true);
  assert.equal(other.kernel.status().lease.held, false);
  await replay(other, [fixture[1]!]); // e.g. `devflow run` in another process
  await srv.waitFor(1);
  await holder.waitForEvent(sentEvent('hook'), 3000);
  await new Promise((r) => setTimeout(r, 1200)); // another poll round: still one
  assert.equal(srv.received.length, 1);
  assert.equal(other.events.filter((e) => e.type === 'notifications.notification.sent').length, 0, 'the standby process sent nothing');
});
