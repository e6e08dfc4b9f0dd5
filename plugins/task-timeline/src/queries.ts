// Read side: what the tools ask of task-timeline's tables. Every query is an indexed lookup or a
// bounded range; nothing here reads the event log.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { ProjectState } from './rows.js';
import type { EntryRow, TaskRow } from './store.js';

const T = 'task_timeline__';

/** A project's row as the queries read it: the same columns the fold keeps. */
export type ProjectRow = ProjectState;

export class TimelineQueries {
  private readonly s: Record<string, SqlStatement>;

  constructor(db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      latestProject: p(`SELECT * FROM ${T}projects ORDER BY (project = '') ASC, last_ts DESC LIMIT 1`),
      project: p(`SELECT * FROM ${T}projects WHERE project = ?`),
      projects: p(`SELECT project FROM ${T}projects WHERE project <> '' ORDER BY last_ts DESC LIMIT ?`),
      head: p(`SELECT branch, ts FROM ${T}checkouts WHERE project = ? ORDER BY ts DESC LIMIT 1`),
      task: p(`SELECT * FROM ${T}tasks WHERE project = ? AND task = ?`),
      taskAnywhere: p(`SELECT * FROM ${T}tasks WHERE task = ? ORDER BY last_ts DESC LIMIT 1`),
      latestTask: p(`SELECT * FROM ${T}tasks WHERE project = ? ORDER BY last_ts DESC LIMIT 1`),
      tasksOf: p(`SELECT * FROM ${T}tasks WHERE project = ? AND last_ts >= ? ORDER BY last_ts DESC LIMIT ?`),
      tasksAll: p(`SELECT * FROM ${T}tasks WHERE last_ts >= ? ORDER BY last_ts DESC LIMIT ?`),
      recent: p(`SELECT * FROM ${T}entries WHERE project = ? AND task = ? AND ts >= ? ORDER BY ts DESC, id DESC LIMIT ?`),
      from: p(`SELECT * FROM ${T}entries WHERE project = ? AND task = ? AND ts >= ? ORDER BY ts, id LIMIT ?`),
      hot: p(`SELECT path, sum(n) AS edits FROM ${T}file_hours WHERE project = ? AND hour >= ? GROUP BY path ORDER BY edits DESC, path LIMIT ?`),
      bottlenecks: p(`SELECT title FROM ${T}bottlenecks WHERE project = ? ORDER BY severity DESC, opened_at DESC, key LIMIT ?`),
      bottleneckCount: p(`SELECT count(*) AS n FROM ${T}bottlenecks WHERE project = ?`),
    };
  }

  private get<R>(name: string, ...args: unknown[]): R | undefined {
    return (this.s[name] as SqlStatement).get(...args) as R | undefined;
  }

  private all<R>(name: string, ...args: unknown[]): R[] {
    return (this.s[name] as SqlStatement).all(...args) as R[];
  }

  /** The most recently active project (one that names a project first), or a given one. */
  project(project?: string): ProjectRow | undefined {
    return project === undefined ? this.get<ProjectRow>('latestProject') : this.get<ProjectRow>('project', project);
  }

  knownProjects(limit = 5): string[] {
    return this.all<{ project: string }>('projects', limit).map((r) => r.project);
  }

  /** The branch checked out last (null when detached or unknown) and since when. */
  head(project: string): { branch: string | null; ts: number } | null {
    const r = this.get<{ branch: string; ts: number }>('head', project);
    return r ? { branch: r.branch || null, ts: r.ts } : null;
  }

  task(project: string, task: string): TaskRow | undefined {
    return this.get<TaskRow>('task', project, task);
  }

  /** A task by key in whichever project it was most recently active. */
  taskAnywhere(task: string): TaskRow | undefined {
    return this.get<TaskRow>('taskAnywhere', task);
  }

  latestTask(project: string): TaskRow | undefined {
    return this.get<TaskRow>('latestTask', project);
  }

  tasks(project: string | null, since: number, limit: number): TaskRow[] {
    return project === null ? this.all<TaskRow>('tasksAll', since, limit) : this.all<TaskRow>('tasksOf', project, since, limit);
  }

  /** Entries in time order: from `since` forward, or (no since) the most recent ones. */
  entries(project: string, task: string, since: number | null, limit: number): EntryRow[] {
    if (since !== null) return this.all<EntryRow>('from', project, task, since, limit);
    return this.all<EntryRow>('recent', project, task, Number.MIN_SAFE_INTEGER, limit).reverse();
  }

  hotFiles(project: string, sinceHour: number, limit: number): { path: string; edits: number }[] {
    return this.all('hot', project, sinceHour, limit);
  }

  bottlenecks(project: string, limit: number): { open: number; top: string[] } {
    const open = this.get<{ n: number }>('bottleneckCount', project)?.n ?? 0;
    return { open, top: open ? this.all<{ title: string }>('bottlenecks', project, limit).map((r) => r.title) : [] };
  }
}
