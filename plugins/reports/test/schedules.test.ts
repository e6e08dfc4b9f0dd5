// Scheduled reports through the real kernel: croner fires every second, the report is written to
// a file from the path template and announced through the notifications stand-in; a bad schedule
// is reported by name while the others keep running.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StoredEvent } from '@devflow/plugin-sdk';
import { fixture, reportsKernel } from './helpers.js';
import { calls } from './stand-ins.js';

type Json = Record<string, any>;
const generated = (name: string) => (e: StoredEvent) => e.type === 'reports.report.generated' && String((e.data as Json).file ?? '').includes(name);

test('a schedule fires, writes its file atomically from the template and notifies with the file attached', async (t) => {
  calls.notify.length = 0;
  const schedules = [
    { name: 'weekly', cron: '* * * * * *', period: 'week', format: 'html', deliver: { file: 'out/{name}/{period}-{date}.{ext}', notify: true } },
    { name: 'broken', cron: '99 * * * *', period: 'day', format: 'markdown', deliver: { notify: true } },
    { name: 'daily-md', cron: '* * * * * *', period: 'day', format: 'markdown', which: 'current', project: '/home/dev/webapp' },
  ];
  const { tk } = await reportsKernel(t, { events: fixture('week.json'), config: { schedules } });
  assert.equal(tk.kernel.status().plugins.find((p) => p.id === 'reports')?.state, 'started');

  const bad = tk.logs.find((l) => l.code === 'REPORTS_ERR_SCHEDULE_INVALID');
  assert.equal(bad?.plugin, 'reports');
  assert.equal(bad?.schedule, 'broken');
  assert.match(String(bad?.msg), /schedule "broken": cron "99 \* \* \* \*" is not valid .*this schedule does not run, the others do/);

  const weekly = await tk.waitForEvent(generated('/out/weekly/'), 5000);
  const data = weekly.data as Json;
  // "previous": the week before the one the schedule fired in.
  assert.equal(data.to - data.from, 7 * 86_400_000);
  assert.ok(data.to <= Date.now());
  // A relative template is taken under the plugin's data directory (<home>/…/reports/).
  const date = new Date(data.from).toISOString().slice(0, 10);
  assert.ok(data.file.startsWith(tk.home), data.file);
  assert.ok(data.file.endsWith(join('/reports/out/weekly', `week-${date}.html`)), data.file);
  assert.ok(existsSync(data.file));
  const html = readFileSync(data.file, 'utf8');
  assert.match(html, /<section id="comparison">/);
  assert.equal(Buffer.byteLength(html), data.bytes);

  // The notification names the report, summarizes it, and attaches the file by path.
  const deadline = Date.now() + 3000;
  while (!calls.notify.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const n = calls.notify[0] as Json;
  assert.deepEqual([n.severity, n.source, n.project, n.attachments], ['info', 'reports', null, [{ name: data.file.split('/').pop(), path: data.file }]]);
  assert.match(n.title, /^DevFlow 20\d\d-W\d\d report$/);
  assert.match(n.body, /^Weekly report — .* active, .* commits/);
  assert.equal(n.key, `reports:weekly:${data.from}`);

  // A schedule without a file template writes under the data directory, for the current period.
  const daily = await tk.waitForEvent(generated('/reports/day-'), 5000);
  assert.equal((daily.data as Json).format, 'markdown');
  assert.ok((daily.data as Json).from <= Date.now() && Date.now() < (daily.data as Json).to + 5000);
  assert.match(readFileSync((daily.data as Json).file, 'utf8'), /^# Daily report — /);

  const list = await tk.callTool('reports_list', { limit: 50 });
  assert.ok(list.ok);
  const schedulesSeen = new Set((list.value as Json).reports.map((r: Json) => r.schedule));
  assert.ok(schedulesSeen.has('weekly') && schedulesSeen.has('daily-md') && !schedulesSeen.has('broken'));
});

test('notify without the notifications plugin: the file is still written and the failure is logged by schedule', async (t) => {
  const schedules = [{ name: 'lonely', cron: '* * * * * *', period: 'day', format: 'json', deliver: { notify: true } }];
  const { tk } = await reportsKernel(t, { optional: [], config: { schedules } });
  assert.ok(tk.logs.some((l) => l.code === 'REPORTS_ERR_DELIVERY' && l.level === 40 && /notifications plugin is not enabled/.test(String(l.msg))));
  const ev = await tk.waitForEvent(generated('/reports/day-'), 5000);
  assert.ok(existsSync((ev.data as Json).file));
  assert.equal(JSON.parse(readFileSync((ev.data as Json).file, 'utf8')).schema, 'devflow.report/1');
  const deadline = Date.now() + 3000;
  const failed = () => tk.logs.find((l) => l.code === 'REPORTS_ERR_DELIVERY' && l.level === 50 && l.schedule === 'lonely');
  while (!failed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(String(failed()?.msg), /schedule "lonely" failed: .*notifications plugin is not enabled; the report was written to /);
});

test('a config that is not valid is refused with its JSON path', async (t) => {
  await assert.rejects(
    reportsKernel(t, { config: { schedules: [{ name: 'x', cron: '* * * * *', period: 'month', format: 'html' }] } }),
    /\[reports\] KRN_ERR_CONFIG_INVALID: .*plugins\.reports\.config\.schedules\[0\]\.period must be one of "day", "week", "sprint"/,
  );
});
