import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCondition, compileRules, inQuietHours, matchesPattern, parseDuration, render, retryAfterMs, sign, slackPayload, take, refill, detectNotifier, webhookPayload, type ChannelEnv, type Message } from '../src/index.js';
import { checkChannels } from '../src/check-channels.js';

const scope = (vars: Record<string, unknown>, metric = (_m: string, _w: number) => 0) => ({ vars, metric });

test('conditions: event fields, dots, true/false/null, odd fields do not match', () => {
  const c = compileCondition('data.failed > 3 and severity == "warn"');
  assert.deepEqual(c(scope({ data: { failed: 5 }, severity: 'warn' })), { ok: true, value: true });
  assert.deepEqual(c(scope({ data: { failed: 2 }, severity: 'warn' })), { ok: true, value: false });
  assert.deepEqual(c(scope({ data: { failed: null }, severity: 'warn' })), { ok: true, value: false });
  assert.deepEqual(c(scope({ data: { failed: '9' }, severity: 'warn' })), { ok: true, value: false }, 'a string where a number is expected does not match');
  assert.deepEqual(c(scope({})), { ok: true, value: false }, 'missing data');
  assert.deepEqual(compileCondition('data.ok == false')(scope({ data: { ok: false } })), { ok: true, value: true });
  assert.deepEqual(compileCondition('data.ok == false')(scope({ data: {} })), { ok: true, value: false });
  assert.deepEqual(compileCondition('data.constructor == null')(scope({ data: {} })), { ok: true, value: true }, 'prototype properties are not readable');
});

test('conditions: metric() calls the lookup with the window in ms; its failure is an error, not a throw', () => {
  const seen: [string, number][] = [];
  const c = compileCondition('metric("testFailures", "1h") > 5');
  assert.deepEqual(c(scope({}, (m, w) => (seen.push([m, w]), 6))), { ok: true, value: true });
  assert.deepEqual(seen, [['testFailures', 3_600_000]]);
  const r = c(scope({}, () => { throw new Error('metrics plugin is not running'); }));
  assert.deepEqual(r, { ok: false, error: 'metrics plugin is not running' });
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('soon'), undefined);
});

test('conditions: syntax errors, unknown functions and bad metric() arguments say where', () => {
  assert.throws(() => compileCondition('data.failed >> 3'), /syntax error at column 14/);
  assert.throws(() => compileCondition('data.failed > 3 and'), /syntax error at column 17/);
  assert.throws(() => compileCondition('a == "x'), /unrecognized text at column 6/);
  assert.throws(() => compileCondition('foo(1) > 2'), /unknown function foo\(\) at column 1/);
  assert.throws(() => compileCondition('x > 1 and metric("nope", "1h") > 1'), /metric "nope" at column 11 is unknown/);
  assert.throws(() => compileCondition('metric("commits", "soon") > 1'), /metric window "soon" at column 1/);
  assert.throws(() => compileCondition('metric(commits) > 1'), /takes two quoted strings/);
  assert.doesNotThrow(() => compileCondition('data.msg == "foo(1)" and not (data.x in (1, 2))'));
});

test('templates fill placeholders from the event, empty for missing, cut objects', () => {
  const vars = { project: '/p/app', projectName: 'app', data: { failed: 3, tests: ['a', 'b'], nested: { x: 1 } } };
  assert.equal(render('{projectName}: {data.failed} failed ({data.tests}) {data.missing}', vars), 'app: 3 failed (["a","b"])');
  assert.equal(render('{{literal}} {data.nested.x}', vars), '{literal} 1');
});

test('patterns: exact, prefix.*, *', () => {
  assert.ok(matchesPattern('test-monitor.run.finished', 'test-monitor.run.finished'));
  assert.ok(matchesPattern('test-monitor.*', 'test-monitor.deploy.finished'));
  assert.ok(!matchesPattern('test-monitor.*', 'test-monitor2.run.finished'));
  assert.ok(matchesPattern('*', 'a.b.c'));
  assert.ok(!matchesPattern('a.b', 'a.b.c'));
});

test('rules: a bad expression is reported with rule name and column, the others compile; unknown channels are dropped and reported', () => {
  const { rules, problems } = compileRules(
    [
      { name: 'broken', on: 'a.b.c', when: 'data.failed >> 3', title: 'x' },
      { name: 'good', on: ['a.*'], when: 'data.n > 1', title: 'n is {data.n}', channels: ['log', 'pager'] },
      { name: 'tests-red', enabled: false },
      { name: 'no-title', on: 'a.b.c' },
      { name: 'sched', on: 'schedule', title: 't' },
      { name: 'badpat', on: 'A..B', title: 't' },
    ],
    { defaultRules: true, defaultChannels: ['log'], cooldownMinutes: 30, hasChannel: (n) => n === 'log' },
  );
  assert.deepEqual(rules.map((r) => r.name).sort(), ['bottleneck-error', 'deploy-failed', 'good', 'stage-changed', 'tests-red']);
  const byRule = Object.fromEntries(problems.map((p) => [p.rule, p]));
  assert.equal(byRule.broken?.code, 'NOTIFY_ERR_RULE_INVALID');
  assert.match(byRule.broken!.message, /rule "broken" is not used: when expression "data.failed >> 3" is invalid: syntax error at column 14/);
  assert.match(byRule['no-title']!.message, /no "title"/);
  assert.match(byRule.sched!.message, /schedule rule needs a "when"/);
  assert.match(byRule.badpat!.message, /pattern "A..B"/);
  assert.equal(byRule.good?.code, 'NOTIFY_ERR_CHANNEL_UNKNOWN');
  assert.match(byRule.good!.message, /channel "pager"/);
  const good = rules.find((r) => r.name === 'good')!;
  assert.deepEqual(good.channels, ['log']);
  const red = rules.find((r) => r.name === 'tests-red')!;
  assert.equal(red.enabledByConfig, false, 'config merges over the shipped rule');
  assert.equal(red.holdMs, 30 * 60_000);
  assert.equal(red.origin, 'default+config');
  assert.equal(rules.find((r) => r.name === 'deploy-failed')!.enabledByConfig, true);
  assert.equal(rules.find((r) => r.name === 'bottleneck-error')!.enabledByConfig, false);
});

test('quiet hours: wrap midnight, end exclusive, time zone', () => {
  const at = (iso: string) => Date.parse(iso);
  const q = { start: '22:00', end: '07:00', timezone: 'UTC' };
  assert.ok(inQuietHours(at('2026-01-10T23:30:00Z'), q));
  assert.ok(inQuietHours(at('2026-01-10T03:00:00Z'), q));
  assert.ok(!inQuietHours(at('2026-01-10T07:00:00Z'), q));
  assert.ok(!inQuietHours(at('2026-01-10T12:00:00Z'), q));
  assert.ok(inQuietHours(at('2026-01-10T12:30:00Z'), { start: '12:00', end: '13:00', timezone: 'UTC' }));
  assert.ok(inQuietHours(at('2026-01-10T21:30:00Z'), { ...q, timezone: 'Europe/Berlin' }), '22:30 in Berlin');
  const { problems } = checkChannels({ a: { type: 'log', quietHours: { start: '22:00', end: '07:00', timezone: 'Mars/Olympus' } } }, {});
  assert.match(problems[0]!.message, /channel "a": quietHours ignored: time zone "Mars\/Olympus" is unknown/);
});

test('rate limit: token bucket refills continuously, never above the limit; 0 is unlimited', () => {
  let b = take(undefined, 2, 0);
  assert.ok(b.allowed);
  b = take(b.bucket, 2, 1);
  assert.ok(b.allowed);
  b = take(b.bucket, 2, 2);
  assert.ok(!b.allowed);
  assert.ok(take(b.bucket, 2, 1_800_002).allowed, 'one token back after half an hour');
  assert.equal(refill({ tokens: 0, updatedAt: 0 }, 2, 100 * 3_600_000).tokens, 2);
  assert.equal(refill({ tokens: 1, updatedAt: 1000 }, 2, 0).tokens, 1, 'a clock going back refills nothing');
  assert.ok(take(undefined, 0, 0).allowed);
});

test('http helpers: Retry-After seconds and dates, capped; HMAC signature', () => {
  assert.equal(retryAfterMs('2', 0), 2000);
  assert.equal(retryAfterMs('600', 0), 60_000);
  assert.equal(retryAfterMs(new Date(5000).toUTCString(), 1000), 4000);
  assert.equal(retryAfterMs('soon', 0), undefined);
  assert.match(sign('k', '1', '{}'), /^sha256=[0-9a-f]{64}$/);
});

const msg: Message = { kind: 'alert', title: 'Deploy <failed> & co', body: 'exit 1', severity: 'error', project: '/p/app', rule: 'deploy-failed', source: 'notifications', key: 'k', at: 0 };

test('payloads: Slack gets text + blocks with escaped mrkdwn; webhooks get the notification as JSON', () => {
  const s = slackPayload(msg);
  assert.equal(s.text, ':rotating_light: *Deploy &lt;failed&gt; &amp; co*\nexit 1');
  assert.equal(s.blocks.length, 3);
  assert.deepEqual(webhookPayload(msg), { kind: 'alert', title: msg.title, body: 'exit 1', severity: 'error', project: '/p/app', rule: 'deploy-failed', source: 'notifications', key: 'k', at: '1970-01-01T00:00:00.000Z' });
});

function fakeEnv(platform: NodeJS.Platform, env: Record<string, string>, files: string[]): ChannelEnv {
  return { env, platform, fetch, sleep: async () => {}, run: async () => ({ code: 0 }), exists: (p) => files.includes(p), log: () => {} };
}

test('desktop: detected per OS, unavailable with a reason otherwise', () => {
  assert.deepEqual(detectNotifier(fakeEnv('linux', { PATH: '/usr/bin' }, [])), { ok: false, reason: 'notify-send is not installed (install libnotify-bin / libnotify)' });
  assert.match((detectNotifier(fakeEnv('linux', { PATH: '/usr/bin' }, ['/usr/bin/notify-send'])) as { reason: string }).reason, /no graphical session/);
  const linux = detectNotifier(fakeEnv('linux', { PATH: '/usr/bin', DISPLAY: ':0' }, ['/usr/bin/notify-send']));
  assert.ok(linux.ok && linux.command === '/usr/bin/notify-send');
  assert.deepEqual(linux.ok && linux.args(msg), ['-a', 'DevFlow', '-u', 'critical', '--', msg.title, 'exit 1']);
  assert.ok(detectNotifier(fakeEnv('darwin', {}, ['/usr/bin/osascript'])).ok);
  const win = detectNotifier(fakeEnv('win32', { PATH: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', PATHEXT: '.EXE' }, ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0/powershell.EXE']));
  assert.ok(win.ok, JSON.stringify(win));
  assert.deepEqual(detectNotifier(fakeEnv('aix', {}, [])), { ok: false, reason: 'no desktop notifier is known for platform aix' });
});
