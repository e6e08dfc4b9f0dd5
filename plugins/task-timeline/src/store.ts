// The fold's view of task-timeline's tables. Rows a batch touches over and over (tasks, projects,
// the checked-out branch and hot-file counters in RowStore; the open edit bursts and AI session
// entries here) are read once per batch into local maps, changed in memory, and written back once
// by `flush()` at the end of the batch; the rest are prepared statements run inside the
// projection's transaction. Nothing survives a batch (several processes may share the database),
// so every batch starts from the tables.
import { TABLES } from './migrations.js';
import { editSummary, type EditFacts } from './narrative.js';
import { countEntry } from './rows.js';
import { RowStore } from './store-rows.js';

export type { TaskRow } from './rows.js';

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

/** An edit burst entry held for the batch: its times and facts, and the files known to be in it. */
export interface Burst {
  readonly id: number;
  ts: number;
  endTs: number;
  facts: EditFacts;
  /** Paths known to be in the burst (those of a `fresh` burst are written at flush). */
  readonly files: Set<string>;
  /** Begun in this batch: its row and its files are written at flush (never before: no fold query reads them). */
  readonly fresh: { project: string; task: string; eventId: string } | null;
}

/** An AI session entry held for the batch (updated in place by every session event). */
export interface SessionEntry {
  readonly id: number;
  readonly project: string;
  readonly task: string;
  ts: number;
  endTs: number;
  /** The new summary and facts, once changed in this batch (written back at flush). */
  summary: string | null;
  facts: Record<string, unknown> | null;
}

const okInt = (ok: boolean | null) => (ok === null ? null : ok ? 1 : 0);
const n0 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Writes and point lookups of the fold (all inside the ingest transaction). */
export class TimelineStore extends RowStore {
  private readonly bursts = new Map<number, Burst | null>();
  private readonly dirtyBursts = new Set<Burst>();
  private readonly sessions = new Map<string, SessionEntry | null>();
  private readonly dirtySessions = new Set<SessionEntry>();
  /** The id the next entry gets (ids are assigned here so a burst's row can wait for the flush). */
  private nextId = 0;

  reset(): void {
    this.discard();
    for (const t of TABLES) this.db.exec(`DELETE FROM ${t}`);
  }

  /** Write back what the batch changed and forget it (the next batch reads the tables again). */
  flush(): void {
    try {
      this.writeRows();
      const files: [number, string][] = [];
      for (const b of this.bursts.values()) {
        if (!b) continue;
        const f = b.fresh;
        if (f) {
          this.s.insert.run(b.id, f.project, f.task, b.ts, b.endTs, 'edit', null, null, null, editSummary(b.facts), f.eventId, JSON.stringify(b.facts));
          for (const path of b.files) files.push([b.id, path]);
        } else if (this.dirtyBursts.has(b)) this.s.putEntry.run(b.ts, b.endTs, editSummary(b.facts), JSON.stringify(b.facts), b.id);
      }
      if (files.length) this.s.burstFiles.run(JSON.stringify(files));
      this.writeSessions();
    } finally {
      this.discard();
    }
  }

  private discard(): void {
    this.discardRows();
    this.bursts.clear();
    this.dirtyBursts.clear();
    this.sessions.clear();
    this.dirtySessions.clear();
    this.nextId = 0;
  }

  /** A new entry id: one past the largest in the table (read once per batch), as SQLite would pick. */
  private newId(): number {
    if (this.nextId === 0) this.nextId = (this.s.maxId.get() as { id: number }).id + 1;
    return this.nextId++;
  }

  private writeSessions(): void {
    for (const e of this.dirtySessions) this.s.putEntry.run(e.ts, e.endTs, e.summary, JSON.stringify(e.facts), e.id);
    this.dirtySessions.clear();
  }

  insertEntry(e: NewEntry): number {
    const id = this.newId();
    this.s.insert.run(id, e.project, e.task, e.ts, e.endTs, e.kind, e.ref, e.tag, okInt(e.ok), e.summary, e.eventId, JSON.stringify(e.facts));
    const r = this.changing(e.project, e.task);
    if (r) countEntry(r, id, e.kind, e.ok);
    return id;
  }

  updateEntry(id: number, ts: number, endTs: number, summary: string, facts: Record<string, unknown>, ok: boolean | null = null): void {
    this.s.update.run(ts, endTs, summary, JSON.stringify(facts), okInt(ok), id);
  }

  byRef(kind: string, ref: string, project: string | null): EntryRow | undefined {
    return this.s.byRef.get({ kind, ref, project }) as EntryRow | undefined;
  }

  /** Whether an entry of `kind` with `ref` exists (in `project`, or anywhere when null). */
  hasRef(kind: string, ref: string, project: string | null): boolean {
    return (project === null ? this.s.hasRef.get(kind, ref) : this.s.hasRefIn.get(kind, ref, project)) !== undefined;
  }

  prevCommit(project: string, task: string, ts: number): { ts: number; facts: string } | undefined {
    return this.s.prevCommit.get(project, task, ts) as { ts: number; facts: string } | undefined;
  }

  nextCommit(project: string, task: string, ts: number): EntryRow | undefined {
    return this.s.nextCommit.get(project, task, ts) as EntryRow | undefined;
  }

  redRuns(project: string, task: string, after: number, upTo: number): number {
    return (this.s.redRuns.get(project, task, after, upTo) as { n: number } | undefined)?.n ?? 0;
  }

  /** The AI session entry filed under `ref` (the first, in any project), read once per batch. */
  session(ref: string): SessionEntry | null {
    let e = this.sessions.get(ref);
    if (e === undefined) {
      const row = this.s.sessionByRef.get(ref) as { id: number; project: string; task: string; ts: number; end_ts: number } | undefined;
      e = row ? { id: row.id, project: row.project, task: row.task, ts: row.ts, endTs: row.end_ts, summary: null, facts: null } : null;
      this.sessions.set(ref, e);
    }
    return e;
  }

  /** A session entry was just inserted under `ref`. */
  sessionFiled(ref: string, id: number, project: string, task: string, ts: number, endTs: number): void {
    this.sessions.set(ref, { id, project, task, ts, endTs, summary: null, facts: null });
  }

  /** Its times, summary and facts changed: written back at flush (or before a narrative reads sessions). */
  sessionChanged(e: SessionEntry): void {
    this.dirtySessions.add(e);
  }

  /** AI sessions of the task active in (after, upTo]: tool and stored facts. */
  sessionsBetween(project: string, task: string, after: number, upTo: number): { tag: string | null; facts: string }[] {
    this.writeSessions(); // the query reads session rows: bring them up to date first
    return this.s.sessions.all({ project, task, after, upTo }) as { tag: string | null; facts: string }[];
  }

  /**
   * Drop hot-file buckets more than 96 hours before their project's last edit: no query reads
   * them (the window is at most 72 hours back from the last edit), so when this runs changes no answer.
   */
  prune(): number {
    return this.s.pruneFiles.run().changes;
  }

  /** An edit burst entry (null when it does not exist), read once per batch. */
  burst(id: number): Burst | null {
    let b = this.bursts.get(id);
    if (b !== undefined) return b;
    const row = this.s.burst.get(id) as { ts: number; end_ts: number; facts: string } | undefined;
    b = row ? { id, ts: row.ts, endTs: row.end_ts, facts: editFacts(row.facts), files: new Set(), fresh: null } : null;
    this.bursts.set(id, b);
    return b;
  }

  /**
   * A new edit burst entry of a task with its first file: it becomes the task's last entry now, and
   * its row is written at flush with the facts it has then. Returns its id.
   */
  newBurst(project: string, task: string, eventId: string, ts: number, facts: EditFacts, path: string): number {
    const id = this.newId();
    const r = this.changing(project, task);
    if (r) countEntry(r, id, 'edit', null);
    this.bursts.set(id, { id, ts, endTs: ts, facts, files: new Set([path]), fresh: { project, task, eventId } });
    return id;
  }

  /** The burst's times or facts changed: written back at flush. */
  burstChanged(b: Burst): void {
    this.dirtyBursts.add(b);
  }

  /** Add a path to an edit burst; true when it is new to the burst. */
  burstFile(b: Burst, path: string): boolean {
    if (b.files.has(path)) return false;
    b.files.add(path);
    return b.fresh !== null || this.s.burstFile.run(b.id, path).changes > 0;
  }

  /** The burst is over: forget its files (none were written when it began in this batch). */
  clearBurst(id: number): void {
    const b = this.bursts.get(id);
    if (!b?.fresh) this.s.clearBurst.run(id);
    b?.files.clear(); // a fresh burst's files were never written
  }

  attribution(hash: string, project: string, confidence: number, tools: readonly string[]): void {
    this.s.attribution.run(hash, project, confidence, tools.join(' '));
  }

  attributionOf(hash: string, project: string): number | null {
    return (this.s.getAttribution.get(hash, project) as { confidence: number } | undefined)?.confidence ?? null;
  }

  bottleneckOpened(project: string, key: string, title: string, severity: number, openedAt: number): void {
    this.s.openB.run(project, key, title, severity, openedAt);
  }

  bottleneckResolved(project: string, key: string): void {
    this.s.resolveB.run(project, key);
  }

  merged(project: string, task: string, into: string | null, ts: number): void {
    this.s.ship.run(project, task, into, ts);
  }

  /** Tasks merged into `branch` (any, when null) by `ts` and not deployed yet. */
  dueForDeploy(project: string, ts: number, branch: string | null): string[] {
    return (this.s.due.all({ project, ts, branch }) as { task: string }[]).map((r) => r.task);
  }

  shipped(project: string, task: string): void {
    this.s.shipped.run(project, task);
  }
}

/** Stored burst facts, every field present (older or damaged rows read as zeros). */
function editFacts(json: string): EditFacts {
  let f: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(json);
    if (v && typeof v === 'object' && !Array.isArray(v)) f = v as Record<string, unknown>;
  } catch {
    /* damaged: start from zeros */
  }
  return { edits: n0(f.edits), files: n0(f.files), dir: typeof f.dir === 'string' ? f.dir : '', file: typeof f.file === 'string' ? f.file : null, added: n0(f.added), removed: n0(f.removed) };
}
