// The fold's shared parts: options, the event view, and the two steps every handler uses (which
// task an event belongs to, and adding an entry). Plain module: no kernel imports.
import type { StoredEvent } from '@devflow/plugin-sdk';
import { clip, type IssueKeys, obj } from './keys.js';
import type { NewEntry, TimelineStore } from './store.js';

export interface FoldOptions {
  burstGapMs: number;
  idleMs: number;
  defaultBranches: ReadonlySet<string>;
  keys: IssueKeys;
  /** Told about an event the fold could not use because of an unexpected error (never thrown). */
  onError?: (e: StoredEvent, err: unknown) => void;
}

export interface Ev {
  e: StoredEvent;
  d: Record<string, unknown>;
  project: string;
  ts: number;
}

export interface Task {
  task: string;
  branch: string | null;
}

export const SEVERITY: Readonly<Record<string, number>> = { error: 3, warn: 2, info: 1 };
export const parse = (json: string): Record<string, unknown> => {
  try {
    return obj(JSON.parse(json));
  } catch {
    return {};
  }
};
export const strings = (v: unknown, max: number, len = 120): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0).slice(0, max).map((x) => clip(x, len)) : []);

export class FoldCore {
  constructor(
    readonly store: TimelineStore,
    readonly o: FoldOptions,
  ) {}

  /** The task of `branch`, else of the branch checked out at `ts`; null when unknown. */
  taskAt(project: string, ts: number, branch: string | null): Task | null {
    const b = branch ?? (this.store.branchAt(project, ts) || null);
    return b ? { task: this.o.keys.taskOf(b), branch: b } : null;
  }

  /** The task is active at the entry's time: create or widen it, and count active time. */
  enter(ev: Ev, t: Task, ts: number, endTs: number, active: boolean): void {
    const issue = (t.branch && this.o.keys.find(t.branch)) ?? (this.o.keys.isKey(t.task) ? t.task : null);
    this.store.ensureTask(ev.project, t.task, t.branch, issue, Math.min(ts, ev.ts), Math.max(endTs, ev.ts));
    if (active) this.store.activity(ev.project, t.task, ev.ts, this.o.idleMs);
  }

  add(ev: Ev, t: Task, entry: Omit<NewEntry, 'project' | 'task' | 'eventId'>, active: boolean): number {
    this.enter(ev, t, entry.ts, entry.endTs, active);
    return this.store.insertEntry({ ...entry, project: ev.project, task: t.task, eventId: ev.e.id });
  }
}
