// The rows of task-timeline's tables that a batch touches over and over — tasks, projects, the
// checked-out branch, hot-file counters — read once per batch into local maps, changed in memory
// (with the same semantics the per-event statements had, see rows.ts), and written back once by
// `writeRows()`. Nothing survives a batch: several processes may share the database.
import type { SqlDatabase } from '@devflow/plugin-sdk';
import { addActivity, addEdits, newProject, newTask, PROJECT_COLUMNS, type ProjectState, setStage, TASK_COLUMNS, type TaskColumns, type TaskRow, widenTask } from './rows.js';
import { statements } from './statements.js';

/** Everything a batch holds for one project. `undefined` = not read yet, `null` = no row. */
interface Slot {
  row: ProjectState | null | undefined;
  head: { ts: number; branch: string } | null | undefined;
  tasks: Map<string, TaskRow | null>;
  /** Hot-file counts to add: hour → path → edits. */
  hours: Map<number, Map<string, number>>;
}

/** Tasks, projects, checkouts and hot files for the fold, held for one batch. */
export class RowStore {
  protected readonly s: ReturnType<typeof statements>;
  private slots = new Map<string, Slot>();
  /** The slot asked for last (events of one project tend to come in runs). */
  private lastProject = '';
  private lastSlot: Slot | null = null;
  private readonly dirtyTasks = new Set<TaskRow>();

  constructor(protected readonly db: SqlDatabase) {
    this.s = statements(db);
  }

  /** Write back the tasks, projects and hot-file counts the batch changed. */
  protected writeRows(): void {
    this.writeTasks();
    const hours: [string, number, string, number][] = [];
    for (const [project, slot] of this.slots) {
      const p = slot.row;
      if (p) this.s.putProject.run(...PROJECT_COLUMNS.map((k) => p[k]));
      for (const [hour, files] of slot.hours) for (const [path, n] of files) hours.push([project, hour, path, n]);
    }
    if (hours.length) this.s.fileHours.run(JSON.stringify(hours));
  }

  /** Forget the batch (after writing it back, or when it is rolled back). */
  protected discardRows(): void {
    this.slots = new Map();
    this.lastSlot = null;
    this.dirtyTasks.clear();
  }

  private slot(project: string): Slot {
    if (project === this.lastProject && this.lastSlot) return this.lastSlot;
    let s = this.slots.get(project);
    if (!s) this.slots.set(project, (s = { row: undefined, head: undefined, tasks: new Map(), hours: new Map() }));
    this.lastProject = project;
    this.lastSlot = s;
    return s;
  }

  private projectState(project: string): ProjectState | null {
    const s = this.slot(project);
    if (s.row === undefined) s.row = (this.s.project.get(project) as ProjectState | undefined) ?? null;
    return s.row;
  }

  /** The project row, created with `lastTs` when missing (the first writer sets it). */
  private projectFor(project: string, lastTs: number): { p: ProjectState; created: boolean } {
    const s = this.slot(project);
    const p = this.projectState(project);
    if (p) return { p, created: false };
    s.row = newProject(project, lastTs);
    return { p: s.row, created: true };
  }

  /** Create the task (or widen its first/last times) and count the project as active at `lastTs`. */
  ensureTask(project: string, task: string, branch: string | null, issue: string | null, ts: number, lastTs = ts): void {
    let r = this.task(project, task);
    if (r) widenTask(r, branch, issue, ts, lastTs);
    else this.slot(project).tasks.set(task, (r = newTask(project, task, branch, issue, ts, lastTs)));
    this.dirtyTasks.add(r);
    this.projectSeen(project, lastTs);
  }

  task(project: string, task: string): TaskRow | undefined {
    const tasks = this.slot(project).tasks;
    let r = tasks.get(task);
    if (r === undefined) tasks.set(task, (r = (this.s.task.get(project, task) as TaskRow | undefined) ?? null));
    return r ?? undefined;
  }

  /** The task row to change (marked for write-back), or undefined when there is none. */
  protected changing(project: string, task: string): TaskRow | undefined {
    const r = this.task(project, task);
    if (r) this.dirtyTasks.add(r);
    return r;
  }

  /** Heartbeat-style active time: gaps up to `idleMs` between activity count. */
  activity(project: string, task: string, ts: number, idleMs: number): void {
    const r = this.changing(project, task);
    if (r) addActivity(r, ts, idleMs);
  }

  /** Set task columns (a missing task stays missing). */
  setTask(project: string, task: string, cols: TaskColumns): void {
    const r = this.changing(project, task);
    if (r) Object.assign(r, cols);
  }

  addEdits(project: string, task: string, n: number, ts: number): void {
    const r = this.changing(project, task);
    if (r) addEdits(r, n, ts);
  }

  /** An edit joined the task's burst: active time, edit count and times. */
  editJoined(project: string, task: string, ts: number, n: number, idleMs: number): void {
    const r = this.changing(project, task);
    if (!r) return;
    addActivity(r, ts, idleMs);
    addEdits(r, n, ts);
    r.first_ts = Math.min(r.first_ts, ts);
    r.last_ts = Math.max(r.last_ts, ts);
  }

  /** The latest checkout of the project (read once per batch), null when there is none. */
  private head(project: string): { ts: number; branch: string } | null {
    const s = this.slot(project);
    if (s.head === undefined) s.head = (this.s.head.get(project) as { ts: number; branch: string } | undefined) ?? null;
    return s.head;
  }

  /** The branch checked out at `ts` ('' = detached), null when none is known. */
  branchAt(project: string, ts: number): string | null {
    const h = this.head(project);
    if (h === null) return null;
    if (ts >= h.ts) return h.branch;
    return (this.s.branchAt.get(project, ts) as { branch: string } | undefined)?.branch ?? null;
  }

  private putCheckout(project: string, ts: number, branch: string): void {
    this.s.checkout.run(project, ts, branch);
    const s = this.slot(project);
    if (!s.head || ts >= s.head.ts) s.head = { ts, branch };
  }

  /** Record that `branch` was checked out from `ts` on, unless that is already what the table says. */
  checkout(project: string, ts: number, branch: string): void {
    if (this.branchAt(project, ts) !== branch) this.putCheckout(project, ts, branch);
  }

  /** A branch switched away from with nothing known before: it was checked out since the beginning. */
  checkoutBefore(project: string, ts: number, branch: string): void {
    const h = this.head(project);
    const anyBefore = h !== null && (h.ts < ts || this.s.anyBefore.get(project, ts) !== undefined);
    if (!anyBefore) this.putCheckout(project, 0, branch);
  }

  projectSeen(project: string, ts: number): void {
    const { p, created } = this.projectFor(project, ts);
    if (!created) p.last_ts = Math.max(p.last_ts, ts);
  }

  /** The project row, without counting the event as activity. */
  projectRow(project: string, ts: number): void {
    this.projectFor(project, ts);
  }

  unattributed(project: string, ts: number): void {
    this.projectFor(project, ts).p.unattributed++;
  }

  /** Count an edit of `path` in the hot-file buckets and move the project's last edit time. */
  fileEdited(project: string, path: string, ts: number, n: number): void {
    const { p, created } = this.projectFor(project, ts);
    if (!created) p.last_ts = Math.max(p.last_ts, ts);
    p.last_edit_ts = Math.max(p.last_edit_ts ?? ts, ts);
    const hours = this.slot(project).hours;
    const hour = Math.floor(ts / 3_600_000);
    let files = hours.get(hour);
    if (!files) hours.set(hour, (files = new Map()));
    files.set(path, (files.get(path) ?? 0) + n);
  }

  stage(project: string, stage: string, subStage: string | null, since: number, confidence: number | null): void {
    const p = this.projectState(project);
    if (p) setStage(p, stage, subStage, since, confidence);
  }

  /** The project a task (by key) was most recently active in, for events that name none. */
  projectOfTask(task: string): string | null {
    this.writeTasks(); // the query reads the table: bring it up to date first
    return (this.s.taskProject.get(task) as { project: string } | undefined)?.project ?? null;
  }

  protected writeTasks(): void {
    for (const r of this.dirtyTasks) this.s.putTask.run(...TASK_COLUMNS.map((k) => r[k]));
    this.dirtyTasks.clear();
  }
}
