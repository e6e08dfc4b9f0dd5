// Bad input never stops the projection: odd payloads, no project, future and stale times, unknown
// projects, an empty database, bad tool arguments, and bad rules in the config (named, skipped).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestKernel, eventSources } from '@devflow/core/testing';
import { call, fixture, kernel, path, play, stageAnalyzer, type CurrentOut, type HistoryOut } from './helpers.js';

const file = (project: string | null, ts: string, p: string) => ({ type: 'file-monitor.file.changed', project, ts, data: { path: p, kind: 'modified' } });

test('odd fields, a missing project, a future date and a stale date are skipped, never fatal', async (t) => {
  const tk = await kernel({ t });
  const stored = await play(tk, fixture('bad'));
  assert.ok(!tk.logs.some((l) => l.code === 'KRN_ERR_PROJECTION_FAILED'), 'the projection never failed');
  const api = tk.use(stageAnalyzer);
  assert.deepEqual(api.ignored(), { future: 1, 'no-project': 1, stale: 1 });
  const now = await call<CurrentOut>(tk, 'stage_current', { project: '/work/demo/odd' });
  assert.deepEqual([now.stage, now.since, now.lastEventAt], ['prd', '2025-03-20T09:00:00.000Z', '2025-03-20T09:40:00.000Z'], 'the 2099 event did not move the clock');
  // The commit with junk entries still counts its one good path.
  const commit = stored[4]!;
  assert.ok(now.evidence.some((e) => e.eventId === commit.id && e.detail === 'docs/requirements.md'), JSON.stringify(now.evidence));
  assert.ok(now.evidence.every((e) => e.rule === 'prd-docs'));
  // Later events still fold live.
  await play(tk, [file('/work/demo/odd', '2025-03-20T09:50:00Z', 'docs/prd.md')]);
  assert.equal((await call<CurrentOut>(tk, 'stage_current', { project: '/work/demo/odd' })).lastEventAt, '2025-03-20T09:50:00.000Z');
});

test('an empty database and an unknown project answer with empty results and a note', async (t) => {
  const tk = await kernel({ t });
  const none = await call<CurrentOut>(tk, 'stage_current', {});
  assert.deepEqual([none.project, none.stage, none.evidence, none.leading], [null, null, [], []]);
  assert.match(none.note!, /no project has stage signals yet/);
  const hist = await call<HistoryOut>(tk, 'stage_history', {});
  assert.deepEqual([hist.transitions, hist.total, hist.timePerStage], [[], 0, []]);
  assert.deepEqual(tk.use(stageAnalyzer).current('/nowhere'), null);
  assert.deepEqual(tk.use(stageAnalyzer).durations('/nowhere'), []);

  await play(tk, [file('/work/demo/one', '2025-03-01T10:00:00Z', 'src/server/a.go')]);
  const unknown = await call<CurrentOut>(tk, 'stage_current', { project: '/work/demo/other' });
  assert.equal(unknown.stage, null);
  assert.match(unknown.note!, /no stage data for project "\/work\/demo\/other"; known projects: \/work\/demo\/one/);
  const early = await call<CurrentOut>(tk, 'stage_current', { project: 'one' });
  assert.deepEqual([early.stage, early.leading], [null, [{ stage: 'backend', share: 1 }]], 'one signal is below minScore');
  assert.match(early.note!, /not enough signals yet/);
});

test('bad tool arguments are refused with a reason', async (t) => {
  const tk = await kernel({ t });
  const bad = await tk.callTool('stage_history', { since: 'last tuesday' });
  assert.ok(!bad.ok && bad.error.code === 'KRN_ERR_TOOL_FAILED' && /since "last tuesday"/.test(bad.error.message));
  const limit = await tk.callTool('stage_history', { limit: 0 });
  assert.equal(limit.ok ? '' : limit.error.code, 'KRN_ERR_TOOL_INPUT');
  const extra = await tk.callTool('stage_current', { project: '/p', verbose: true });
  assert.equal(extra.ok ? '' : extra.error.code, 'KRN_ERR_TOOL_INPUT');
  const viewer = await tk.as('viewer').callTool('stage_current', {});
  assert.ok(viewer.ok, 'stages:read is a read permission');
  const guest = await tk.as('guest').callTool('stage_current', {});
  assert.equal(guest.ok ? '' : guest.error.code, 'KRN_ERR_FORBIDDEN');
});

test('a bad rule in the config is reported by name and skipped; the other rules keep working', async (t) => {
  const tk = await kernel({
    t,
    config: {
      rules: [
        { name: 'bad-glob', stage: 'frontend', weight: 1, when: { types: ['file-monitor.file.changed'], pathGlobs: ['src/{a,b'] } },
        { name: 'bad-stage', stage: 'testing', weight: 1, when: { types: ['file-monitor.file.changed'] } },
        { name: 'bad-regex', stage: 'deployment', weight: 1, when: { types: ['git-monitor.tag.created'], tagPattern: '(v' } },
        { name: 'bad-key', stage: 'design', weight: 1, when: { types: ['file-monitor.file.changed'], pathGlob: ['*.css'] } },
        { name: 'penpot', stage: 'wireframe', weight: 5, when: { types: ['file-monitor.file.changed'], pathGlobs: ['**/*.penpot'] } },
      ],
      disable: ['no-such-rule'],
    },
  });
  const errors = tk.logs.filter((l) => l.code === 'STAGE_ERR_RULE_INVALID');
  assert.deepEqual(errors.map((l) => String(l.rule).split(' ')[0]), ['bad-glob', 'bad-stage', 'bad-regex', 'bad-key']);
  assert.ok(errors.every((l) => l.plugin === 'stage-analyzer' && l.level === 50), JSON.stringify(errors[0]));
  assert.match(errors[0]!.msg!, /rule "bad-glob \(rules\[0\]\)": glob "src\/\{a,b" has an unclosed "\{"/);
  assert.match(errors[1]!.msg!, /unknown stage "testing"/);
  assert.match(errors[2]!.msg!, /when.tagPattern is not a valid regular expression/);
  assert.match(errors[3]!.msg!, /unknown condition when.pathGlob/);
  assert.ok(tk.logs.some((l) => l.code === 'STAGE_ERR_RULE_UNKNOWN' && l.rule === 'no-such-rule'));
  await play(tk, [file('/p', '2025-03-01T10:00:00Z', 'ux/home.penpot'), file('/p', '2025-03-01T10:05:00Z', 'docs/prd.md')]);
  assert.equal((await call<CurrentOut>(tk, 'stage_current', { project: '/p' })).stage, 'wireframe', 'the good custom rule works next to the defaults');
});

test('per-project rules and disable lists apply to that project only', async (t) => {
  const tk = await kernel({
    t,
    config: {
      projects: {
        '/work/a': { disable: ['prd-docs'], rules: [{ name: 'notes', stage: 'planning', weight: 3, when: { types: ['file-monitor.file.changed'], pathGlobs: ['notes/**'] } }] },
      },
    },
  });
  const fx = ['/work/a', '/work/b'].flatMap((p) => [file(p, '2025-03-01T10:00:00Z', 'docs/prd.md'), file(p, '2025-03-01T10:05:00Z', 'notes/ideas.txt'), file(p, '2025-03-01T10:10:00Z', 'docs/prd.md')]);
  await play(tk, fx);
  const a = await call<HistoryOut>(tk, 'stage_history', { project: '/work/a' });
  const b = await call<HistoryOut>(tk, 'stage_history', { project: '/work/b' });
  assert.deepEqual(path(a), [['2025-03-01T10:05:00.000Z', null, 'planning', null]]);
  assert.deepEqual(path(b), [['2025-03-01T10:00:00.000Z', null, 'prd', null]]);
});

test('an invalid option fails the plugin with the kernel\'s config error', async () => {
  await assert.rejects(
    createTestKernel({ plugins: [stageAnalyzer, ...eventSources(['file-monitor'])], config: { plugins: { 'stage-analyzer': { config: { windowMinutes: 0 } } } } }),
    /\[stage-analyzer\] KRN_ERR_CONFIG_INVALID: .*windowMinutes must be >= 10/,
  );
});
