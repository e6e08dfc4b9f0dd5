// The rows the fold keeps in memory for the length of one batch, and the updates it applies to
// them: exactly what the per-event SQL statements did (upserts, min/max, heartbeat active time),
// done in JS and written back once per batch. Plain module: no kernel, no database.

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

/** Every column of `task_timeline__tasks`, in table order (the write-back statement binds them all). */
export const TASK_COLUMNS = [
  'project', 'task', 'branch', 'issue', 'first_ts', 'last_ts', 'active_ms', 'last_active_ts', 'entries', 'edits', 'commits', 'sessions', 'test_runs', 'red_runs',
  'last_entry_id', 'burst_id', 'last_edit_ts', 'red_since', 'red_streak', 'failing', 'last_run_ts', 'last_run_ok', 'last_commit', 'last_commit_ts',
  'last_green_commit', 'last_green_ts', 'merged_ts', 'deployed_ts',
] as const satisfies readonly (keyof TaskRow)[];

export interface ProjectState {
  project: string;
  last_ts: number;
  last_edit_ts: number | null;
  unattributed: number;
  stage: string | null;
  sub_stage: string | null;
  stage_since: number | null;
  stage_confidence: number | null;
}

export const PROJECT_COLUMNS = ['project', 'last_ts', 'last_edit_ts', 'unattributed', 'stage', 'sub_stage', 'stage_since', 'stage_confidence'] as const satisfies readonly (keyof ProjectState)[];

/** Columns the fold sets by name (`setTask`): everything but the key. */
export type TaskColumns = Partial<Omit<TaskRow, 'project' | 'task'>>;

export function newTask(project: string, task: string, branch: string | null, issue: string | null, firstTs: number, lastTs: number): TaskRow {
  return {
    project, task, branch, issue, first_ts: firstTs, last_ts: lastTs, active_ms: 0, last_active_ts: null, entries: 0, edits: 0, commits: 0, sessions: 0, test_runs: 0, red_runs: 0,
    last_entry_id: null, burst_id: null, last_edit_ts: null, red_since: null, red_streak: 0, failing: null, last_run_ts: null, last_run_ok: null, last_commit: null,
    last_commit_ts: null, last_green_commit: null, last_green_ts: null, merged_ts: null, deployed_ts: null,
  };
}

/** An existing task seen again: widen its times; a known branch replaces, the first issue stays. */
export function widenTask(r: TaskRow, branch: string | null, issue: string | null, firstTs: number, lastTs: number): void {
  r.first_ts = Math.min(r.first_ts, firstTs);
  r.last_ts = Math.max(r.last_ts, lastTs);
  if (branch !== null) r.branch = branch;
  if (r.issue === null) r.issue = issue;
}

/** Heartbeat-style active time: a gap of at most `idleMs` since the last activity counts. */
export function addActivity(r: TaskRow, ts: number, idleMs: number): void {
  const last = r.last_active_ts;
  if (last !== null && ts > last && ts - last <= idleMs) r.active_ms += ts - last;
  r.last_active_ts = Math.max(last ?? ts, ts);
}

export function addEdits(r: TaskRow, n: number, ts: number): void {
  r.edits += n;
  r.last_edit_ts = Math.max(r.last_edit_ts ?? ts, ts);
}

const COUNTERS: Readonly<Record<string, 'commits' | 'sessions' | 'test_runs'>> = { commit: 'commits', 'ai-session': 'sessions', test: 'test_runs' };

/** A new entry of the task: counters by kind, and it becomes the task's last entry. */
export function countEntry(r: TaskRow, id: number, kind: string, ok: boolean | null): void {
  r.entries++;
  r.last_entry_id = id;
  const counter = COUNTERS[kind];
  if (counter) r[counter]++;
  if (kind === 'test' && ok === false) r.red_runs++;
}

export function newProject(project: string, lastTs: number): ProjectState {
  return { project, last_ts: lastTs, last_edit_ts: null, unattributed: 0, stage: null, sub_stage: null, stage_since: null, stage_confidence: null };
}

/** The stage reported last by its own time wins (an older report arriving late does not). */
export function setStage(p: ProjectState, stage: string, subStage: string | null, since: number, confidence: number | null): void {
  if (p.stage_since !== null && p.stage_since > since) return;
  p.stage = stage;
  p.sub_stage = subStage;
  p.stage_since = since;
  p.stage_confidence = confidence;
}
