// Projects, labels (branch and issue names), the current branch of each project, and heartbeats
// folded into active time per project, branch and issue. SQL only; no kernel.
//
// Heartbeats are not stored one by one. A project's heartbeats form sessions — maximal runs whose
// gaps are all ≤ the idle timeout — and a session is one row: its first and last heartbeat, and the
// branch and issue of the first (the one that earned the credit). A heartbeat after the project's
// last one (the usual case) only moves the cached last session forward, written once per batch; a
// late one is folded exactly against the sessions around it (see `late`), so the total still
// depends only on the set of heartbeats, never on arrival order.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { bucketStart, HOUR } from './buckets.js';
import type { Settings } from './config.js';
import { issueKeyOf } from './fields.js';
import type { Rollups } from './rollups.js';

/** Entries a name cache may hold before it is dropped and filled again. */
const MAX_CACHED = 10_000;

export interface ProjectRow {
  id: number;
  branch: number | null;
  issue: number | null;
  deploy_runs: number;
}

interface Session {
  start: number;
  last: number;
  branch: number | null;
  issue: number | null;
}

export class Activity {
  private readonly s: Record<string, SqlStatement>;
  // Caches kept across batches while the fold continues (see `forget`): project rows by path, label
  // ids by name, each project's latest session (dirty: to write at the end of the batch), and the
  // stored first-activity time of the branches seen. Branch first-activity times still to write are per batch.
  private readonly projects = new Map<string, ProjectRow>();
  private readonly labels = new Map<string, number>();
  private readonly tails = new Map<number, { s: Session | null; dirty: boolean }>();
  /** Per project: the stored first-activity time of each branch seen (numbers as keys: no string per heartbeat). */
  private readonly storedFirst = new Map<number, Map<number, number>>();
  private storedCount = 0;
  private readonly firsts = new Map<number, Map<number, number>>();
  /** Per project: active time gathered for one hour, branch and issue, handed to the rollups when any of them changes. */
  private readonly runs = new Map<number, { hour: number; branch: number | null; issue: number | null; ms: number }>();

  constructor(db: SqlDatabase, private readonly settings: Settings, private readonly rollups: Rollups) {
    const p = (sql: string) => db.prepare(sql);
    const cols = 'start, last_ts AS last, branch, issue';
    this.s = {
      project: p('SELECT id, branch, issue, deploy_runs FROM metrics__project WHERE path = ?'),
      addProject: p('INSERT INTO metrics__project (path) VALUES (?)'),
      setCurrent: p('UPDATE metrics__project SET branch = ?, issue = ? WHERE id = ?'),
      label: p('SELECT id FROM metrics__label WHERE name = ?'),
      addLabel: p('INSERT INTO metrics__label (name) VALUES (?)'),
      lastSession: p(`SELECT ${cols} FROM metrics__session WHERE project = ? ORDER BY start DESC LIMIT 1`),
      sessionFrom: p(`SELECT ${cols} FROM metrics__session WHERE project = ? AND start <= ? ORDER BY start DESC LIMIT 1`),
      sessionAfter: p(`SELECT ${cols} FROM metrics__session WHERE project = ? AND start > ? ORDER BY start LIMIT 1`),
      saveSession: p(
        'INSERT INTO metrics__session (project, start, last_ts, branch, issue) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, start) DO UPDATE SET last_ts = excluded.last_ts',
      ),
      dropSession: p('DELETE FROM metrics__session WHERE project = ? AND start = ?'),
      branchFirst: p(
        'INSERT INTO metrics__branch (project, label, first_ts) VALUES (?, ?, ?) ON CONFLICT (project, label) DO UPDATE SET first_ts = excluded.first_ts WHERE excluded.first_ts < first_ts',
      ),
      firstOf: p('SELECT first_ts FROM metrics__branch WHERE project = ? AND label = ?'),
    };
  }

  /** The project row of a path (null: events without a project, kept under ""). Created on first sight. */
  project(path: string | null): ProjectRow {
    const key = path ?? '';
    const cached = this.projects.get(key);
    if (cached) return cached;
    let row = this.s.project!.get(key) as ProjectRow | undefined;
    if (!row) {
      this.s.addProject!.run(key);
      row = this.s.project!.get(key) as ProjectRow;
    }
    this.projects.set(key, row);
    return row;
  }

  /** End of a batch: hand the gathered active time to the rollups (before they flush), write the open sessions and the branch first-activity times that moved earlier. */
  end(): void {
    for (const [project, r] of this.runs) this.hand(project, r);
    for (const [project, t] of this.tails) {
      if (t.dirty && t.s) this.save(project, t.s);
      t.dirty = false;
    }
    for (const [project, branches] of this.firsts) {
      let stored = this.storedFirst.get(project);
      if (!stored) this.storedFirst.set(project, (stored = new Map()));
      for (const [branch, ts] of branches) {
        const known = stored.get(branch) ?? (this.s.firstOf!.get(project, branch) as { first_ts: number } | undefined)?.first_ts;
        if (!stored.has(branch)) this.storedCount++;
        if (known !== undefined && known <= ts) stored.set(branch, known);
        else stored.set(branch, (this.s.branchFirst!.run(project, branch, ts), ts));
      }
    }
    this.runs.clear();
    this.firsts.clear();
    if (this.storedCount > MAX_CACHED || this.labels.size > MAX_CACHED) this.forget();
  }

  /** Drop every cache (the tables may have changed behind them). */
  forget(): void {
    this.runs.clear();
    this.firsts.clear();
    this.projects.clear();
    this.labels.clear();
    this.tails.clear();
    this.storedFirst.clear();
    this.storedCount = 0;
  }

  /** The id of a branch or issue name, created on first sight. */
  label(name: string): number {
    let id = this.labels.get(name);
    if (id !== undefined) return id;
    const row = this.s.label!.get(name) as { id: number } | undefined;
    id = row ? row.id : Number(this.s.addLabel!.run(name).lastInsertRowid);
    this.labels.set(name, id);
    return id;
  }

  /** Make `branch` the project's current branch (null: detached); its issue key comes from the name. */
  switchBranch(p: ProjectRow, branch: string | null): void {
    const b = branch === null ? null : this.label(branch);
    const key = issueKeyOf(branch, this.settings.issueRe);
    const i = key === null ? null : this.label(key);
    this.s.setCurrent!.run(b, i, p.id);
    p.branch = b;
    p.issue = i;
  }

  /** A live commit on `branch`: switch to it if it is not current; its issue key when the branch names none. */
  commitOn(p: ProjectRow, branch: string, issueKeys: readonly string[]): void {
    const b = this.label(branch);
    if (p.branch !== b) this.switchBranch(p, branch);
    if (p.issue === null && issueKeys[0]) {
      p.issue = this.label(issueKeys[0]);
      this.s.setCurrent!.run(p.branch, p.issue, p.id);
    }
  }

  /** The earliest activity seen on a branch (first commit or first heartbeat on it). */
  touchBranch(project: number, branch: number, ts: number): void {
    const stored = this.storedFirst.get(project)?.get(branch);
    if (stored !== undefined && stored <= ts) return; // nothing earlier to write (the usual case)
    let branches = this.firsts.get(project);
    if (!branches) this.firsts.set(project, (branches = new Map()));
    const first = branches.get(branch);
    if (first === undefined || ts < first) branches.set(branch, ts);
  }

  branchFirst(project: number, branch: string): number | null {
    const id = this.labels.get(branch) ?? (this.s.label!.get(branch) as { id: number } | undefined)?.id;
    if (id === undefined) return null;
    const stored = (this.s.firstOf!.get(project, id) as { first_ts: number } | undefined)?.first_ts ?? null;
    const pending = this.firsts.get(project)?.get(id) ?? null;
    return stored === null ? pending : pending === null ? stored : Math.min(stored, pending);
  }

  /**
   * A heartbeat of project `p` at `ts`, attributed to its current branch and issue. One after the
   * latest session extends it (gap ≤ idle timeout) or opens a new one (credit); an earlier one goes
   * to `late`. A heartbeat inside a session, or at the millisecond of a stored one, adds nothing.
   */
  heartbeat(p: ProjectRow, ts: number): void {
    let tail = this.tails.get(p.id);
    if (!tail) this.tails.set(p.id, (tail = { s: (this.s.lastSession!.get(p.id) as Session | undefined) ?? null, dirty: false }));
    const cur = tail.s;
    if (cur === null || ts > cur.last) {
      if (cur !== null && ts - cur.last <= this.settings.idleMs) {
        this.span(p.id, cur.last, ts, p.branch, p.issue);
        cur.last = ts;
      } else {
        if (cur !== null && tail.dirty) this.save(p.id, cur);
        this.credit(p.id, ts, p.branch, p.issue, 1);
        tail.s = { start: ts, last: ts, branch: p.branch, issue: p.issue };
      }
      tail.dirty = true;
    } else if (ts === cur.last || ts === cur.start) return;
    else if (ts < cur.start && !this.late(p, ts, tail)) return;
    if (p.branch !== null) this.touchBranch(p.id, p.branch, ts);
  }

  /**
   * A heartbeat before the project's latest session. With A the session starting at or before it and
   * B the next one: inside A it adds nothing; else it earns the span from A's last heartbeat (gap ≤
   * idle) or the credit, and when B starts within the idle timeout after it, B's credit is taken back
   * and the span up to B's start added (to B's branch and issue) — the sessions merge. False: a
   * heartbeat already stored.
   */
  private late(p: ProjectRow, ts: number, tail: { s: Session | null; dirty: boolean }): boolean {
    if (tail.dirty && tail.s) this.save(p.id, tail.s);
    tail.dirty = false;
    const a = this.s.sessionFrom!.get(p.id, ts) as Session | undefined;
    if (a && a.last >= ts) return ts !== a.start && ts !== a.last;
    const b = this.s.sessionAfter!.get(p.id, ts) as Session;
    const idle = this.settings.idleMs;
    const joinsA = a !== undefined && ts - a.last <= idle;
    const joinsB = b.start - ts <= idle;
    if (joinsB) {
      this.credit(p.id, b.start, b.branch, b.issue, -1);
      this.span(p.id, ts, b.start, b.branch, b.issue);
      this.s.dropSession!.run(p.id, b.start);
    }
    if (joinsA) this.span(p.id, a.last, ts, p.branch, p.issue);
    else this.credit(p.id, ts, p.branch, p.issue, 1);
    const last = joinsB ? b.last : ts;
    const merged: Session = joinsA ? { ...a, last } : { start: ts, last, branch: p.branch, issue: p.issue };
    this.save(p.id, merged);
    if (joinsB && tail.s && b.start === tail.s.start) tail.s = merged;
    return true;
  }

  private save(project: number, s: Session): void {
    this.s.saveSession!.run(project, s.start, s.last, s.branch, s.issue);
  }

  /** Active time from `a` to `b`, cut at hour boundaries, for the project and the heartbeat's branch and issue. */
  private span(project: number, a: number, b: number, branch: number | null, issue: number | null): void {
    for (let t = a; t < b; ) {
      const hour = bucketStart('h', t, this.settings.offsetMs);
      const end = Math.min(b, hour + HOUR);
      this.add(project, hour, end - t, branch, issue);
      t = end;
    }
  }

  /** Add (sign 1) or take back (-1) the credit of a heartbeat that follows a long gap. */
  private credit(project: number, ts: number, branch: number | null, issue: number | null, sign: 1 | -1): void {
    if (this.settings.minActiveMs > 0) this.add(project, bucketStart('h', ts, this.settings.offsetMs), sign * this.settings.minActiveMs, branch, issue);
  }

  private add(project: number, hour: number, ms: number, branch: number | null, issue: number | null): void {
    const r = this.runs.get(project);
    if (r && r.hour === hour && r.branch === branch && r.issue === issue) r.ms += ms;
    else {
      if (r) this.hand(project, r);
      this.runs.set(project, { hour, branch, issue, ms });
    }
  }

  private hand(project: number, r: { hour: number; branch: number | null; issue: number | null; ms: number }): void {
    if (!r.ms) return;
    this.rollups.addHour(project, r.hour, 'activeMs', r.ms);
    if (r.branch !== null) this.rollups.addActive(project, 'b', r.hour, r.branch, r.ms);
    if (r.issue !== null) this.rollups.addActive(project, 'i', r.hour, r.issue, r.ms);
  }
}
