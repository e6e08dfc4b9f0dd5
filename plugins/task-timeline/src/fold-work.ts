// Work in the timeline: edit bursts, bulk changes, AI sessions, test/build/deploy runs, the red/
// green state of a task, and deploys shipping merged tasks.
import { type FoldCore, type Ev, strings, type Task } from './fold-core.js';
import { clip, commonDir, num, obj, relPath, str, time, branchName } from './keys.js';
import { type EditFacts, runSummary, type RunFacts, sessionSummary } from './narrative.js';

export function edit(c: FoldCore, ev: Ev, path: string | null): void {
  if (!path) return;
  const rel = relPath(path, ev.project);
  const n = Math.max(1, Math.min(10_000, Math.floor(num(ev.d.count) ?? 1)));
  c.store.fileEdited(ev.project, rel, ev.ts, n);
  const t = c.taskAt(ev.project, ev.ts, null);
  if (!t) return c.store.unattributed(ev.project, ev.ts);
  const added = Math.max(0, num(ev.d.linesAdded) ?? 0);
  const removed = Math.max(0, num(ev.d.linesRemoved) ?? 0);
  const row = c.store.task(ev.project, t.task);
  // The burst an edit may join: the task's last entry, when that is its current edit burst.
  const burst = row && row.burst_id !== null && row.last_entry_id === row.burst_id ? c.store.burst(row.burst_id) : null;
  const gap = c.o.burstGapMs;
  if (burst && ev.ts >= burst.ts - gap && ev.ts <= burst.endTs + gap) {
    const f = burst.facts;
    if (c.store.burstFile(burst, rel)) {
      f.files++;
      f.dir = commonDir(f.dir, rel);
      f.file = null;
    }
    f.edits += n;
    f.added += added;
    f.removed += removed;
    burst.ts = Math.min(burst.ts, ev.ts);
    burst.endTs = Math.max(burst.endTs, ev.ts);
    c.store.burstChanged(burst);
    c.store.editJoined(ev.project, t.task, ev.ts, n, c.o.idleMs);
    return;
  }
  if (row?.burst_id != null) c.store.clearBurst(row.burst_id);
  const facts: EditFacts = { edits: n, files: 1, dir: commonDir(null, rel), file: rel, added, removed };
  c.enter(ev, t, ev.ts, ev.ts, true);
  const id = c.store.newBurst(ev.project, t.task, ev.e.id, ev.ts, facts, rel);
  c.store.setTask(ev.project, t.task, { burst_id: id });
  c.store.addEdits(ev.project, t.task, n, ev.ts);
}

export function bulk(c: FoldCore, ev: Ev): void {
  const t = c.taskAt(ev.project, ev.ts, null);
  if (!t) return c.store.unattributed(ev.project, ev.ts);
  const count = Math.max(0, Math.floor(num(ev.d.count) ?? num(ev.d.files) ?? 0));
  const top = Array.isArray(ev.d.topDirs) ? str(obj(ev.d.topDirs[0]).dir, 200) : null;
  const summary = `${count} files changed at once${top ? ` (mostly ${clip(top, 80)})` : ''}`;
  c.add(ev, t, { ts: ev.ts, endTs: ev.ts, kind: 'bulk', ref: null, tag: null, ok: null, summary, facts: { count, topDir: top } }, true);
}

export function session(c: FoldCore, ev: Ev): void {
  const { d, project, ts } = ev;
  const tool = (str(d.tool, 40) ?? 'ai').toLowerCase();
  const sid = str(d.sessionId, 200);
  if (!sid) return;
  const ref = `${tool}:${sid}`;
  const start = Math.min(time(d.startedAt) ?? ts, ts);
  const branch = branchName(d.branch);
  if (branch) c.store.checkout(project, ts, branch);
  const tokens = obj(d.tokens);
  const facts = {
    tool,
    sessionId: clip(sid, 80),
    model: str(d.model, 80),
    activeMs: Math.max(0, num(d.activeMs) ?? 0),
    prompts: Math.max(0, num(d.prompts) ?? 0),
    toolCalls: Math.max(0, num(d.toolCallsTotal) ?? 0),
    tokens: (num(tokens.input) ?? 0) + (num(tokens.output) ?? 0),
    ended: ev.e.type.endsWith('ended'),
  };
  const summary = sessionSummary(facts);
  const existing = c.store.session(ref);
  if (existing) {
    c.store.ensureTask(existing.project, existing.task, null, null, ts);
    c.store.activity(existing.project, existing.task, ts, c.o.idleMs);
    existing.ts = Math.min(existing.ts, start);
    existing.endTs = Math.max(existing.endTs, ts);
    existing.summary = summary;
    existing.facts = facts;
    c.store.sessionChanged(existing);
    return;
  }
  const t = c.taskAt(project, start, branch);
  if (!t) return c.store.unattributed(project, ts);
  const id = c.add(ev, t, { ts: start, endTs: ts, kind: 'ai-session', ref, tag: tool, ok: null, summary, facts }, true);
  c.store.sessionFiled(ref, id, project, t.task, start, ts);
}

export function run(c: FoldCore, ev: Ev): void {
  const { d, project, ts } = ev;
  const type = ev.e.type;
  const declared = str(d.kind, 20);
  const kind: RunFacts['kind'] = type.endsWith('build.finished') ? 'build' : type.endsWith('deploy.finished') ? 'deploy' : declared === 'test' || declared === 'build' || declared === 'deploy' ? declared : 'run';
  const runId = str(d.runId, 100);
  const ref = runId ? `run:${runId}` : null;
  if (ref && c.store.hasRef(kind, ref, null)) return;
  const exitCode = num(d.exitCode);
  const ok = typeof d.ok === 'boolean' ? d.ok : exitCode !== null ? exitCode === 0 : null;
  const branch = branchName(d.branch);
  if (branch) c.store.checkout(project, ts, branch);
  const facts: RunFacts = { kind, ok, passed: num(d.passed), failed: num(d.failed), durationMs: num(d.durationMs), exitCode, failing: strings(d.failingTests, 3), command: str(d.command, 200) };
  const t = c.taskAt(project, ts, branch);
  if (t) c.add(ev, t, { ts, endTs: ts, kind, ref, tag: branch, ok, summary: runSummary(facts), facts: facts as unknown as Record<string, unknown> }, true);
  else c.store.unattributed(project, ts);
  if (t && kind === 'test' && ok !== null) testState(c, project, t.task, ts, ok, facts.failing);
  if (kind === 'deploy' && ok === true) ship(c, ev, t, branch);
}

/** Red since / failing tests / last green commit of a task, from its latest test run. */
export function testState(c: FoldCore, project: string, task: string, ts: number, ok: boolean, failing: readonly string[]): void {
  const row = c.store.task(project, task);
  if (!row || (row.last_run_ts !== null && ts < row.last_run_ts)) return;
  if (!ok) {
    c.store.setTask(project, task, { red_since: row.red_since ?? ts, red_streak: row.red_streak + 1, failing: JSON.stringify(failing), last_run_ts: ts, last_run_ok: 0 });
    return;
  }
  const green = row.last_commit !== null && row.last_commit_ts !== null && row.last_commit_ts <= ts;
  c.store.setTask(project, task, { red_since: null, red_streak: 0, failing: null, last_run_ts: ts, last_run_ok: 1, ...(green ? { last_green_commit: row.last_commit, last_green_ts: row.last_commit_ts } : {}) });
}

/** A successful deploy ships the tasks merged into the deployed branch since the last deploy. */
export function ship(c: FoldCore, ev: Ev, own: Task | null, branch: string | null): void {
  for (const task of c.store.dueForDeploy(ev.project, ev.ts, branch)) {
    c.store.shipped(ev.project, task);
    c.store.setTask(ev.project, task, { deployed_ts: ev.ts });
    if (own && own.task === task) continue;
    const summary = `deployed${branch ? ` from ${clip(branch, 80)}` : ''}`;
    c.add(ev, { task, branch: null }, { ts: ev.ts, endTs: ev.ts, kind: 'deploy', ref: null, tag: branch, ok: true, summary, facts: { shipped: true, branch } }, false);
  }
}

