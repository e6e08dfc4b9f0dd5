// The six analyzers together on one realistic week, through the real ingest path: their answers
// agree with each other, computing them after the fact (a kernel that starts on a database the
// events were written to without them) gives exactly the live answers, and `devflow report`
// renders the week from the command line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestKernel, eventSources, replay, type RecordedEvent, type TestKernel } from '@devflow/core/testing';
import bottlenecks from '@devflow/plugin-bottleneck-detector';
import metrics from '@devflow/plugin-metrics';
import notifications from '@devflow/plugin-notifications';
import stages from '@devflow/plugin-stage-analyzer';
import tasks from '@devflow/plugin-task-timeline';
import reports from '../src/index.js';

const run = promisify(execFile);
const DEVFLOW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'core', 'bin', 'devflow.js');
const P = '/home/dev/shop';
const REPO = P;
const BRANCH = 'feature/SHOP-12-checkout';
const ANALYZERS = [stages, metrics, bottlenecks, tasks, reports, notifications];
const day = (d: number, hh: number, mm = 0) => Date.UTC(2026, 10, 9 + d, hh, mm); // Monday 2026-11-09

/** One week of work on a checkout feature: spec, schema, API, UI, an AI session, red then green tests, a squash merge, a deploy that fails and one that restores. */
function week(): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  const ev = (ts: number, type: string, data: Record<string, unknown>, severity?: 'warn') => out.push({ type, ts, project: P, data, ...(severity ? { severity } : {}) });
  const edits = (d: number, from: number, to: number, paths: string[]) => {
    for (let t = day(d, from), i = 0; t < day(d, to); t += 4 * 60_000, i++) {
      const path = paths[i % paths.length] as string;
      ev(t, 'file-monitor.file.changed', { path, kind: 'modified', language: 'typescript', ext: path.slice(path.lastIndexOf('.')), size: 2000, lines: 80, linesAdded: 3, linesRemoved: 1, binary: false, count: 1 });
    }
  };
  let n = 0;
  const commit = (ts: number, subject: string, files: string[], extra: Record<string, unknown> = {}) => {
    const hash = String(++n).repeat(40);
    const conv = /^(\w+)(\(([^)]+)\))?:/.exec(subject);
    ev(ts, 'git-monitor.commit.created', {
      repo: REPO, hash, parents: ['p'], author: { name: 'Dev', email: 'dev@example.com' }, authoredAt: ts, committedAt: ts, subject,
      conventional: conv ? { type: conv[1], scope: conv[3] ?? null, breaking: false } : null, issueKeys: ['SHOP-12'], trailers: [], branch: BRANCH,
      files: files.map((path) => ({ path, added: 20, removed: 4 })), filesTruncated: false, stats: { files: files.length, added: 20 * files.length, removed: 4 * files.length },
      merge: false, imported: false, rewrite: false, ...extra,
    });
    return hash;
  };
  const testRun = (ts: number, ok: boolean, failing: string[] = []) =>
    ev(ts, 'test-monitor.run.finished', { runId: `r${ts}`, command: 'npm test', kind: 'test', runner: 'node', exitCode: ok ? 0 : 1, signal: null, ok, durationMs: 42_000, startedAt: ts - 42_000, passed: ok ? 120 : 117, failed: failing.length, skipped: 0, failingTests: failing, failingTestsTruncated: false, coverage: { lines: 81.5, branches: 70, functions: 77, statements: 80 }, cwd: P, project: P, branch: BRANCH, reports: [], error: null }, ok ? undefined : 'warn');

  ev(day(0, 8, 55), 'git-monitor.branch.created', { repo: REPO, branch: BRANCH, hash: 'base' });
  ev(day(0, 8, 56), 'git-monitor.branch.switched', { repo: REPO, worktree: REPO, from: 'main', to: BRANCH, hash: 'base', detached: false });
  edits(0, 9, 12, ['docs/prd/checkout.md', 'docs/requirements/payments.md']);
  edits(0, 13, 17, ['db/migrations/004_orders.sql', 'prisma/schema.prisma']);
  commit(day(0, 17), 'docs: checkout requirements and order schema', ['docs/prd/checkout.md', 'db/migrations/004_orders.sql']);
  edits(1, 9, 17, ['src/server/api/orders.ts', 'src/server/routes/checkout.ts']);
  commit(day(1, 12), 'feat(api): create orders', ['src/server/api/orders.ts']);
  commit(day(1, 17), 'feat(api): checkout route', ['src/server/routes/checkout.ts']);
  ev(day(2, 9, 30), 'ai-monitor.session.updated', { tool: 'claude-code', sessionId: 's1', project: P, branch: BRANCH, model: 'claude', models: ['claude'], startedAt: day(2, 9, 30), lastActivityAt: day(2, 9, 30), activeMs: 0, prompts: 1, toolCalls: {}, toolCallsTotal: 0, tokens: { input: 1000, output: 200, cached: 0 } });
  edits(2, 9, 12, ['src/components/Cart.tsx', 'src/pages/checkout.tsx']);
  ev(day(2, 11, 55), 'ai-monitor.session.ended', { tool: 'claude-code', sessionId: 's1', project: P, branch: BRANCH, model: 'claude', models: ['claude'], startedAt: day(2, 9, 30), lastActivityAt: day(2, 11, 55), activeMs: 8_100_000, prompts: 14, toolCalls: { Edit: 30 }, toolCallsTotal: 30, tokens: { input: 250_000, output: 40_000, cached: 100_000 }, reason: 'idle' });
  const ui = commit(day(2, 12), 'feat(ui): cart and checkout page', ['src/components/Cart.tsx', 'src/pages/checkout.tsx'], { trailers: [{ key: 'Co-Authored-By', value: 'Claude <noreply@anthropic.com>' }] });
  ev(day(2, 12, 1), 'ai-monitor.commit.attributed', { hash: ui, repo: REPO, tools: ['claude-code'], evidence: ['trailer', 'session-overlap'], confidence: 0.9, sessions: ['s1'] });
  edits(3, 9, 11, ['e2e/checkout.spec.ts', 'src/server/api/orders.test.ts']);
  testRun(day(3, 10), false, ['checkout > pays', 'orders > totals']);
  testRun(day(3, 10, 30), false, ['checkout > pays']);
  testRun(day(3, 11), false, ['checkout > pays']);
  edits(3, 11, 12, ['src/server/api/orders.ts']);
  testRun(day(3, 12), true);
  commit(day(3, 12, 5), 'test: checkout e2e', ['e2e/checkout.spec.ts']);
  ev(day(4, 10), 'git-monitor.merge.detected', { repo: REPO, hash: 'squash1', into: 'main', kind: 'squash', evidence: 'pr-suffix', mergedBranch: BRANCH, mergedHash: null, pr: 12, imported: false });
  ev(day(4, 10, 1), 'git-monitor.branch.switched', { repo: REPO, worktree: REPO, from: BRANCH, to: 'main', hash: 'squash1', detached: false });
  const deploy = (ts: number, ok: boolean) => ev(ts, 'test-monitor.deploy.finished', { runId: `d${ts}`, command: 'npm run deploy', exitCode: ok ? 0 : 1, signal: null, ok, durationMs: 90_000, startedAt: ts - 90_000, cwd: P, project: P, branch: 'main' }, ok ? undefined : 'warn');
  deploy(day(4, 11), true);
  deploy(day(4, 15), false);
  deploy(day(4, 15, 40), true);
  return out;
}

const WEEK = { since: new Date(day(0, 0)).toISOString(), until: new Date(day(7, 0)).toISOString() };

/**
 * The analyzer answers that depend only on the log (no wall clock), as one comparable object. Two
 * kernels give the same recorded events different ids: ids become the event's place in the fixture.
 */
async function answers(tk: TestKernel, ids: readonly (string | undefined)[] = []): Promise<Record<string, unknown>> {
  const place = new Map(ids.map((id, i) => [id, `event#${i}`]));
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const normalize = (v: unknown) => JSON.parse(JSON.stringify(v).replace(uuid, (id) => place.get(id) ?? 'derived-event')) as Record<string, unknown>;
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await tk.callTool(name, args);
    assert.ok(r.ok, `${name}: ${JSON.stringify(r.ok ? null : r.error)}`);
    return r.value as Record<string, unknown>;
  };
  const report = await call('report_generate', { period: 'week', format: 'json', project: P, end: new Date(day(4, 18)).toISOString() });
  const { generatedAt: _g, ...reportData } = (report.report ?? report) as Record<string, unknown>;
  return normalize({
    stageHistory: await call('stage_history', { project: P, since: WEEK.since, limit: 50 }),
    summary: await call('metrics_summary', { project: P, ...WEEK }),
    dora: await call('dora_metrics', { project: P, ...WEEK }),
    bottlenecks: await call('bottlenecks_list', { project: P, status: 'all', limit: 50 }),
    timeline: await call('task_timeline', { task: 'SHOP-12', project: P, limit: 200 }),
    report: reportData,
  });
}

async function settle(tk: TestKernel): Promise<void> {
  tk.flush();
  await tk.kernel.projections.ready();
  tk.flush();
}

function home(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-analyzers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('live: the analyzers agree with each other on a week of work', async (t) => {
  const events = week();
  const tk = await createTestKernel({ plugins: [...ANALYZERS, ...eventSources(events)], config: { projects: [P] }, t });
  await replay(tk, events);
  await settle(tk);
  const a = await answers(tk);
  const summary = a.summary as { commits: number; tests: { runs: number; failed: number; passRate: number }; ai: { assistedCommits: number } };
  assert.equal(summary.commits, 5, 'five commits on the branch');
  assert.equal(summary.tests.runs, 4);
  assert.equal(summary.tests.failed, 3, 'three red runs');
  assert.equal(summary.ai.assistedCommits, 1, 'the UI commit was AI-assisted');
  const dora = a.dora as { deployments: number; changeFailureRate: number; timeToRestoreMs: { p50: number } };
  assert.equal(dora.deployments, 3);
  assert.ok(Math.abs(dora.changeFailureRate - 1 / 3) < 1e-4, `change failure rate ${dora.changeFailureRate}`);
  assert.equal(dora.timeToRestoreMs.p50, 40 * 60_000, 'failed at 15:00, restored at 15:40');

  // The report is built from the same numbers the tools give.
  const report = a.report as { summary: typeof summary; dora: typeof dora; stages: { current: { project: string; stage: string }[] } | null };
  assert.equal(report.summary.commits, summary.commits);
  assert.equal(report.summary.tests.failed, summary.tests.failed);
  assert.equal(report.dora.deployments, dora.deployments);
  const current = (await tk.callTool('stage_current', { project: P })) as { ok: true; value: { stage: string | null } };
  assert.ok(current.ok);
  assert.equal(report.stages?.current.find((c) => c.project === P)?.stage ?? null, current.value.stage, 'the report shows the current stage stage_current gives');
  const history = a.stageHistory as { transitions: { to: string }[] };
  assert.ok(history.transitions.length >= 2, `the week moves through stages: ${JSON.stringify(history.transitions.map((x) => x.to))}`);

  // The timeline joins edits, the AI session, red and green runs, commits, the merge and the deploy.
  const kinds = new Set((a.timeline as { entries: { kind: string }[] }).entries.map((e) => e.kind));
  for (const kind of ['commit', 'test']) assert.ok([...kinds].some((k) => k.startsWith(kind)), `timeline has ${kind} entries: ${[...kinds].join(', ')}`);

  // In-loop context stays small and names the branch's task.
  const ctx = await tk.callTool('devflow_context', { project: P });
  assert.ok(ctx.ok);
  const text = tk.kernel.tools.get('devflow_context')?.render?.(ctx.value as never) ?? JSON.stringify(ctx.value);
  assert.ok(Buffer.byteLength(text) < 1024, `context text is ${Buffer.byteLength(text)} bytes`);
});

test('after the fact: analyzers started on an existing log give exactly the live answers', async (t) => {
  const events = week();
  const live = await createTestKernel({ plugins: [...ANALYZERS, ...eventSources(events)], config: { projects: [P] }, t });
  const liveIds = (await replay(live, events)).map((e) => e?.id);
  await settle(live);
  const expected = await answers(live, liveIds);

  const dir = home(t);
  const writer = await createTestKernel({ plugins: eventSources(events), config: { projects: [P] }, home: dir });
  const laterIds = (await replay(writer, events)).map((e) => e?.id);
  await writer.close();
  const later = await createTestKernel({ plugins: [...ANALYZERS, ...eventSources(events)], config: { projects: [P] }, home: dir, t });
  await settle(later);
  const got = await answers(later, laterIds);
  for (const key of Object.keys(expected)) assert.deepEqual(got[key], expected[key], `${key} differs after the fact`);
});

test('devflow report renders the week as self-contained HTML from the command line', async (t) => {
  const events = week();
  const dir = home(t);
  const writer = await createTestKernel({ plugins: eventSources(events), config: { projects: [P] }, home: dir });
  await replay(writer, events);
  await writer.close();
  const out = join(dir, 'out', 'week.html');
  const { stderr } = await run(process.execPath, [DEVFLOW, 'report', '--period', 'week', '--format', 'html', '--project', P, '--end', '2026-11-13', '--out', out], { env: { ...process.env, DEVFLOW_HOME: dir }, cwd: dir });
  assert.match(stderr, /wrote the week report \(html, \d+ bytes, 2026-11-09 to 2026-11-15\)/);
  const html = readFileSync(out, 'utf8');
  for (const id of ['summary', 'dora', 'stages', 'bottlenecks']) assert.match(html, new RegExp(`<section[^>]+id="${id}"`), `section ${id}`);
  assert.match(html, /<svg[\s>]/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no scripts, no external resources');

  const bad = await run(process.execPath, [DEVFLOW, 'report', '--period', 'fortnight'], { env: { ...process.env, DEVFLOW_HOME: dir }, cwd: dir }).then(
    () => assert.fail('a bad --period must fail'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--period must be one of day, week, sprint; got "fortnight"/);
});
