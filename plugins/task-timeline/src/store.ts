// The fold's view of task-timeline's tables: every statement prepared once, run inside the
// projection's transaction. Plain module: it knows only the SQL interface of the sdk.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { TABLES } from './migrations.js';

export interface EntryRow {
  id: number;
  project: string;
  task: string;
  ts: number;
  end_ts: number;
  kind: string;
  ref: string | null;
  tag: string | null;
  ok: number | null;
  summary: string;
  event_id: string;
  facts: string;
}

export interface TaskRow {
  project: string;
  task: string;
  branch: string | null;
  issue: string | null;
  first_ts: number;
  last_ts: number;
  active_ms: number;
  last_active_ts: number | null;
  entries: number;
  edits: number;
  commits: number;
  sessions: number;
  test_runs: number;
  red_runs: number;
  last_entry_id: number | null;
  burst_id: number | null;
  last_edit_ts: number | null;
  red_since: number | null;
  red_streak: number;
  failing: string | null;
  last_run_ts: number | null;
  last_run_ok: number | null;
  last_commit: string | null;
  last_commit_ts: number | null;
  last_green_commit: string | null;
  last_green_ts: number | null;
  merged_ts: number | null;
  deployed_ts: number | null;
}

export interface NewEntry {
  project: string;
  task: string;
  ts: number;
  endTs: number;
  kind: string;
  ref: string | null;
  tag: string | null;
  ok: boolean | null;
  summary: string;
  eventId: string;
  facts: Record<string, unknown>;
}

const COUNTERS: Readonly<Record<string, string>> = { commit: 'commits', 'ai-session': 'sessions', test: 'test_runs' };
const T = 'task_timeline__';
const okInt = (ok: boolean | null) => (ok === null ? null : ok ? 1 : 0);

/** Writes and point lookups of the fold (all inside the ingest transaction). */
export class TimelineStore {
  private readonly s: Record<string, SqlStatement>;
  /** Statements built from our own column names, prepared once each. */
  private readonly dynamic = new Map<string, SqlStatement>();

  constructor(private readonly db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      ensureTask: p(`INSERT INTO ${T}tasks (project, task, branch, issue, first_ts, last_ts) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (project, task) DO UPDATE SET first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts),
        branch = coalesce(excluded.branch, branch), issue = coalesce(issue, excluded.issue)`),
      task: p(`SELECT * FROM ${T}tasks WHERE project = ? AND task = ?`),
      activity: p(`UPDATE ${T}tasks SET active_ms = active_ms + CASE WHEN last_active_ts IS NOT NULL AND @ts > last_active_ts AND @ts - last_active_ts <= @idle THEN @ts - last_active_ts ELSE 0 END,
        last_active_ts = max(coalesce(last_active_ts, @ts), @ts) WHERE project = @project AND task = @task`),
      insert: p(`INSERT INTO ${T}entries (project, task, ts, end_ts, kind, ref, tag, ok, summary, event_id, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      update: p(`UPDATE ${T}entries SET ts = ?, end_ts = ?, summary = ?, facts = ?, ok = coalesce(?, ok) WHERE id = ?`),
      entry: p(`SELECT * FROM ${T}entries WHERE id = ?`),
      byRef: p(`SELECT * FROM ${T}entries WHERE kind = @kind AND ref = @ref AND (@project IS NULL OR project = @project) ORDER BY id LIMIT 1`),
      prevCommit: p(`SELECT ts, facts FROM ${T}entries WHERE project = ? AND task = ? AND kind = 'commit' AND ts < ? ORDER BY ts DESC LIMIT 1`),
      nextCommit: p(`SELECT * FROM ${T}entries WHERE project = ? AND task = ? AND kind = 'commit' AND ts > ? ORDER BY ts LIMIT 1`),
      redRuns: p(`SELECT count(*) AS n FROM ${T}entries WHERE project = ? AND task = ? AND kind = 'test' AND ok = 0 AND ts > ? AND ts <= ?`),
      sessions: p(`SELECT tag, facts FROM ${T}entries WHERE project = @project AND task = @task AND kind = 'ai-session' AND ts > @after - 86400000 AND ts <= @upTo AND end_ts > @after`),
      branchAt: p(`SELECT branch FROM ${T}checkouts WHERE project = ? AND ts <= ? ORDER BY ts DESC LIMIT 1`),
      anyBefore: p(`SELECT 1 FROM ${T}checkouts WHERE project = ? AND ts < ? LIMIT 1`),
      checkout: p(`INSERT INTO ${T}checkouts (project, ts, branch) VALUES (?, ?, ?) ON CONFLICT (project, ts) DO UPDATE SET branch = excluded.branch`),
      projectRow: p(`INSERT OR IGNORE INTO ${T}projects (project, last_ts) VALUES (?, ?)`),
      addEdits: p(`UPDATE ${T}tasks SET edits = edits + @n, last_edit_ts = max(coalesce(last_edit_ts, @ts), @ts) WHERE project = @project AND task = @task`),
      project: p(`INSERT INTO ${T}projects (project, last_ts) VALUES (?, ?) ON CONFLICT (project) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts)`),
      projectEdit: p(`INSERT INTO ${T}projects (project, last_ts, last_edit_ts) VALUES (@project, @ts, @ts)
        ON CONFLICT (project) DO UPDATE SET last_ts = max(last_ts, @ts), last_edit_ts = max(coalesce(last_edit_ts, @ts), @ts)`),
      burst: p(`SELECT t.burst_id, e.id, e.ts, e.end_ts, e.facts FROM ${T}tasks t LEFT JOIN ${T}entries e ON e.id = t.burst_id AND t.last_entry_id = t.burst_id WHERE t.project = ? AND t.task = ?`),
      editJoined: p(`UPDATE ${T}tasks SET active_ms = active_ms + CASE WHEN last_active_ts IS NOT NULL AND @ts > last_active_ts AND @ts - last_active_ts <= @idle THEN @ts - last_active_ts ELSE 0 END,
        last_active_ts = max(coalesce(last_active_ts, @ts), @ts), edits = edits + @n, last_edit_ts = max(coalesce(last_edit_ts, @ts), @ts),
        first_ts = min(first_ts, @ts), last_ts = max(last_ts, @ts) WHERE project = @project AND task = @task`),
      unattributed: p(`INSERT INTO ${T}projects (project, last_ts, unattributed) VALUES (?, ?, 1) ON CONFLICT (project) DO UPDATE SET unattributed = unattributed + 1`),
      stage: p(`UPDATE ${T}projects SET stage = @stage, sub_stage = @sub, stage_since = @since, stage_confidence = @conf WHERE project = @project AND (stage_since IS NULL OR stage_since <= @since)`),
      burstFile: p(`INSERT OR IGNORE INTO ${T}burst_files (entry_id, path) VALUES (?, ?)`),
      clearBurst: p(`DELETE FROM ${T}burst_files WHERE entry_id = ?`),
      fileHour: p(`INSERT INTO ${T}file_hours (project, hour, path, n) VALUES (?, ?, ?, ?) ON CONFLICT (project, hour, path) DO UPDATE SET n = n + excluded.n`),
      pruneFiles: p(`DELETE FROM ${T}file_hours WHERE hour < (SELECT p.last_edit_ts / 3600000 - 96 FROM ${T}projects p WHERE p.project = ${T}file_hours.project)`),
      attribution: p(`INSERT INTO ${T}attributions (hash, project, confidence, tools) VALUES (?, ?, ?, ?) ON CONFLICT (hash, project) DO UPDATE SET confidence = excluded.confidence, tools = excluded.tools`),
      getAttribution: p(`SELECT confidence FROM ${T}attributions WHERE hash = ? AND (project = ? OR project = '') ORDER BY project DESC LIMIT 1`),
      openB: p(`INSERT INTO ${T}bottlenecks (project, key, title, severity, opened_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, key) DO UPDATE SET title = excluded.title, severity = excluded.severity, opened_at = excluded.opened_at`),
      resolveB: p(`DELETE FROM ${T}bottlenecks WHERE project = ? AND key = ?`),
      ship: p(`INSERT INTO ${T}shipping (project, task, into_branch, merged_ts) VALUES (?, ?, ?, ?) ON CONFLICT (project, task) DO UPDATE SET into_branch = excluded.into_branch, merged_ts = excluded.merged_ts`),
      due: p(`SELECT task FROM ${T}shipping WHERE project = @project AND merged_ts <= @ts AND (@branch IS NULL OR into_branch IS NULL OR into_branch = @branch) ORDER BY merged_ts, task LIMIT 50`),
      shipped: p(`DELETE FROM ${T}shipping WHERE project = ? AND task = ?`),
      taskProject: p(`SELECT project FROM ${T}tasks WHERE task = ? AND project <> '' ORDER BY last_ts DESC LIMIT 1`),
    };
  }

  private cached(sql: string): SqlStatement {
    let st = this.dynamic.get(sql);
    if (!st) this.dynamic.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  private run(name: string, ...args: unknown[]) {
    return (this.s[name] as SqlStatement).run(...args);
  }

  private get<R>(name: string, ...args: unknown[]): R | undefined {
    return (this.s[name] as SqlStatement).get(...args) as R | undefined;
  }

  reset(): void {
    for (const t of TABLES) this.db.exec(`DELETE FROM ${t}`);
  }

  /** Create the task (or widen its first/last times) and the project row. */
  ensureTask(project: string, task: string, branch: string | null, issue: string | null, ts: number, lastTs = ts): void {
    this.run('ensureTask', project, task, branch, issue, ts, lastTs);
    this.run('project', project, lastTs);
  }

  task(project: string, task: string): TaskRow | undefined {
    return this.get<TaskRow>('task', project, task);
  }

  /** Heartbeat-style active time: gaps up to `idleMs` between activity count. */
  activity(project: string, task: string, ts: number, idleMs: number): void {
    this.run('activity', { ts, idle: idleMs, project, task });
  }

  insertEntry(e: NewEntry): number {
    const id = Number(this.run('insert', e.project, e.task, e.ts, e.endTs, e.kind, e.ref, e.tag, okInt(e.ok), e.summary, e.eventId, JSON.stringify(e.facts)).lastInsertRowid);
    const counter = COUNTERS[e.kind];
    const red = e.kind === 'test' && e.ok === false ? ', red_runs = red_runs + 1' : '';
    this.cached(`UPDATE ${T}tasks SET entries = entries + 1, last_entry_id = ?${counter ? `, ${counter} = ${counter} + 1` : ''}${red} WHERE project = ? AND task = ?`).run(id, e.project, e.task);
    return id;
  }

  updateEntry(id: number, ts: number, endTs: number, summary: string, facts: Record<string, unknown>, ok: boolean | null = null): void {
    this.run('update', ts, endTs, summary, JSON.stringify(facts), okInt(ok), id);
  }

  entry(id: number): EntryRow | undefined {
    return this.get<EntryRow>('entry', id);
  }

  byRef(kind: string, ref: string, project: string | null): EntryRow | undefined {
    return this.get<EntryRow>('byRef', { kind, ref, project });
  }

  /** Set task columns by name (names are ours, never user input). */
  setTask(project: string, task: string, cols: Record<string, unknown>): void {
    const keys = Object.keys(cols);
    this.cached(`UPDATE ${T}tasks SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE project = ? AND task = ?`).run(...keys.map((k) => cols[k]), project, task);
  }

  prevCommit(project: string, task: string, ts: number): { ts: number; facts: string } | undefined {
    return this.get<{ ts: number; facts: string }>('prevCommit', project, task, ts);
  }

  nextCommit(project: string, task: string, ts: number): EntryRow | undefined {
    return this.get<EntryRow>('nextCommit', project, task, ts);
  }

  redRuns(project: string, task: string, after: number, upTo: number): number {
    return this.get<{ n: number }>('redRuns', project, task, after, upTo)?.n ?? 0;
  }

  /** AI sessions of the task active in (after, upTo]: tool and stored facts. */
  sessionsBetween(project: string, task: string, after: number, upTo: number): { tag: string | null; facts: string }[] {
    return (this.s.sessions as SqlStatement).all({ project, task, after, upTo }) as { tag: string | null; facts: string }[];
  }

  branchAt(project: string, ts: number): string | null {
    return this.get<{ branch: string }>('branchAt', project, ts)?.branch ?? null;
  }

  /** Record that `branch` was checked out from `ts` on, unless that is already what the table says. */
  checkout(project: string, ts: number, branch: string): void {
    if (this.branchAt(project, ts) !== branch) this.run('checkout', project, ts, branch);
  }

  /** A branch switched away from with nothing known before: it was checked out since the beginning. */
  checkoutBefore(project: string, ts: number, branch: string): void {
    if (!this.get('anyBefore', project, ts)) this.run('checkout', project, 0, branch);
  }

  projectSeen(project: string, ts: number): void {
    this.run('project', project, ts);
  }

  /** The project row, without counting the event as activity. */
  projectRow(project: string, ts: number): void {
    this.run('projectRow', project, ts);
  }

  addEdits(project: string, task: string, n: number, ts: number): void {
    this.run('addEdits', { n, ts, project, task });
  }

  unattributed(project: string, ts: number): void {
    this.run('unattributed', project, ts);
  }

  /** Count an edit of `path` in the hot-file buckets and move the project's last edit time. */
  fileEdited(project: string, path: string, ts: number, n: number): void {
    this.run('fileHour', project, Math.floor(ts / 3_600_000), path, n);
    this.run('projectEdit', { ts, project });
  }

  /**
   * Drop hot-file buckets more than 96 hours before their project's last edit: no query reads
   * them (the window is at most 72 hours back from the last edit), so when this runs changes no answer.
   */
  prune(): number {
    return this.run('pruneFiles').changes;
  }

  /** The burst an edit may join: the task's last entry when it is its current edit burst. */
  burst(project: string, task: string): { burst_id: number | null; id: number | null; ts: number; end_ts: number; facts: string } | undefined {
    return this.get('burst', project, task);
  }

  /** An edit joined the task's burst: active time, edit count and times in one statement. */
  editJoined(project: string, task: string, ts: number, n: number, idleMs: number): void {
    this.run('editJoined', { project, task, ts, n, idle: idleMs });
  }

  /** Add a path to an edit burst; true when it is new to the burst. */
  burstFile(entryId: number, path: string): boolean {
    return this.run('burstFile', entryId, path).changes > 0;
  }

  clearBurst(entryId: number): void {
    this.run('clearBurst', entryId);
  }

  stage(project: string, stage: string, subStage: string | null, since: number, confidence: number | null): void {
    this.run('stage', { stage, sub: subStage, since, conf: confidence, project });
  }

  attribution(hash: string, project: string, confidence: number, tools: readonly string[]): void {
    this.run('attribution', hash, project, confidence, tools.join(' '));
  }

  attributionOf(hash: string, project: string): number | null {
    return this.get<{ confidence: number }>('getAttribution', hash, project)?.confidence ?? null;
  }

  bottleneckOpened(project: string, key: string, title: string, severity: number, openedAt: number): void {
    this.run('openB', project, key, title, severity, openedAt);
  }

  bottleneckResolved(project: string, key: string): void {
    this.run('resolveB', project, key);
  }

  merged(project: string, task: string, into: string | null, ts: number): void {
    this.run('ship', project, task, into, ts);
  }

  /** Tasks merged into `branch` (any, when null) by `ts` and not deployed yet. */
  dueForDeploy(project: string, ts: number, branch: string | null): string[] {
    return ((this.s.due as SqlStatement).all({ project, ts, branch }) as { task: string }[]).map((r) => r.task);
  }

  shipped(project: string, task: string): void {
    this.run('shipped', project, task);
  }

  /** The project a task (by key) was most recently active in, for events that name none. */
  projectOfTask(task: string): string | null {
    return this.get<{ project: string }>('taskProject', task)?.project ?? null;
  }
}
