// task_timeline and tasks_list: resolve the task a caller means, read its entries in time order,
// and render them as compact lines (the text an assistant reads: one line per entry or task).
import { clip, clipPath, duration, type IssueKeys, stamp } from './keys.js';
import type { TimelineQueries } from './queries.js';
import type { EntryRow, TaskRow } from './store.js';

export interface TimelineEntryView {
  ts: number;
  kind: string;
  summary: string;
  eventId: string;
  facts: Record<string, unknown>;
}

export interface TimelineView {
  project: string | null;
  task: string | null;
  branch: string | null;
  /** The whole task (not just this page): entries, active time, first and last activity; null for no task. */
  stats: { entries: number; activeMs: number; firstTs: number; lastTs: number } | null;
  /** The `since` asked for (ms), null for the most recent entries. */
  since: number | null;
  entries: TimelineEntryView[];
  more: boolean;
  note?: string;
}

const facts = (r: EntryRow): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(r.facts);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** The task row a caller means: exact key, or the task of a branch name; in a project or anywhere. */
export function resolveTask(q: TimelineQueries, keys: IssueKeys, task: string, project?: string): TaskRow | undefined {
  const candidates = [...new Set([task, task.toUpperCase(), keys.taskOf(task)])];
  for (const c of candidates) {
    const row = project !== undefined ? q.task(project, c) : q.taskAnywhere(c);
    if (row) return row;
  }
  return undefined;
}

/** The task checked out now in a project (or the most recently active project), else its latest task. */
export function currentTask(q: TimelineQueries, keys: IssueKeys, project?: string): TaskRow | undefined {
  const p = q.project(project);
  if (!p) return undefined;
  const branch = q.head(p.project)?.branch ?? null;
  return (branch ? q.task(p.project, keys.taskOf(branch)) : undefined) ?? q.latestTask(p.project);
}

function line(e: TimelineEntryView): string {
  const subject = e.kind === 'commit' && typeof e.facts.subject === 'string' && e.facts.subject ? ` — "${clip(e.facts.subject, 60)}"` : '';
  return `${stamp(e.ts)} ${e.kind}: ${e.summary}${subject}`;
}

export function buildTimeline(q: TimelineQueries, keys: IssueKeys, o: { task?: string; project?: string; limit: number; since: number | null }): TimelineView {
  const row = o.task !== undefined ? resolveTask(q, keys, o.task, o.project) : currentTask(q, keys, o.project);
  if (!row) {
    const recent = (o.project !== undefined ? q.tasks(o.project, Number.MIN_SAFE_INTEGER, 5) : q.tasks(null, Number.MIN_SAFE_INTEGER, 5)).map((t) => t.task);
    const what = o.task !== undefined ? `no task "${clip(o.task, 100)}"` : 'no current task';
    const where = o.project !== undefined ? ` in project ${clipPath(o.project, 100)}` : '';
    const note = `${what}${where}${recent.length ? `; recent tasks: ${recent.map((t) => clip(t, 60)).join(', ')}` : '; nothing recorded yet'}`;
    return { project: o.project ?? null, task: null, branch: null, stats: null, since: o.since, entries: [], more: false, note };
  }
  const rows = q.entries(row.project, row.task, o.since, o.limit + 1);
  const more = rows.length > o.limit;
  const page = o.since !== null ? rows.slice(0, o.limit) : rows.slice(rows.length - Math.min(rows.length, o.limit));
  const entries = page.map((r) => ({ ts: r.ts, kind: r.kind, summary: r.summary, eventId: r.event_id, facts: facts(r) }));
  const stats = { entries: row.entries, activeMs: row.active_ms, firstTs: row.first_ts, lastTs: row.last_ts };
  return { project: row.project || null, task: row.task, branch: row.branch, stats, since: o.since, entries, more };
}

/** The timeline as text: a header line, then one line per entry (or the note when there is no task). */
export function renderTimeline(v: TimelineView): string {
  if (!v.stats || v.task === null) return v.note ?? 'no task';
  const s = v.stats;
  const head = `task ${v.task}${v.branch && v.branch !== v.task ? ` (${v.branch})` : ''} in ${v.project ?? '(no project)'}: ${s.entries} entries, active ${duration(s.activeMs)}, ${stamp(s.firstTs)} → ${stamp(s.lastTs)}${v.more ? `; showing ${v.entries.length}${v.since !== null ? ' from since' : ' most recent'}` : ''}`;
  return [head, ...v.entries.map(line)].join('\n');
}

export interface TaskSummaryView {
  project: string | null;
  task: string;
  branch: string | null;
  issue: string | null;
  firstTs: number;
  lastTs: number;
  activeMs: number;
  edits: number;
  commits: number;
  sessions: number;
  testRuns: number;
  redRuns: number;
  tests: 'red' | 'green' | 'none';
  mergedAt: number | null;
  deployedAt: number | null;
}

export function taskSummary(r: TaskRow): TaskSummaryView {
  return {
    project: r.project || null,
    task: r.task,
    branch: r.branch,
    issue: r.issue,
    firstTs: r.first_ts,
    lastTs: r.last_ts,
    activeMs: r.active_ms,
    edits: r.edits,
    commits: r.commits,
    sessions: r.sessions,
    testRuns: r.test_runs,
    redRuns: r.red_runs,
    tests: r.last_run_ts === null ? 'none' : r.last_run_ok === 1 ? 'green' : 'red',
    mergedAt: r.merged_ts,
    deployedAt: r.deployed_ts,
  };
}

/** One line per task; a last line says when there are more. */
export function renderTasks(tasks: readonly TaskSummaryView[], more = false): string {
  if (!tasks.length) return 'no tasks recorded in that window';
  const lines = tasks.map(
    (t) =>
      `${clip(t.task, 60)}${t.project ? ` [${clipPath(t.project, 40)}]` : ''}: ${stamp(t.firstTs)} → ${stamp(t.lastTs)}, active ${duration(t.activeMs)}, ${t.edits} edits, ${t.commits} commits, ${t.sessions} AI sessions, ${t.testRuns} test runs (${t.redRuns} red), tests ${t.tests}${t.mergedAt !== null ? ', merged' : ''}${t.deployedAt !== null ? ', deployed' : ''}`,
  );
  if (more) lines.push('… more tasks: raise limit or narrow since');
  return lines.join('\n');
}
