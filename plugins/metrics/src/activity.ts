// Projects, labels (branch and issue names), the current branch of each project, and heartbeats
// folded into active time per project, branch and issue. SQL only; no kernel.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { KINDS } from './buckets.js';
import type { Settings } from './config.js';
import { issueKeyOf } from './fields.js';
import { contribution, pieces } from './heartbeats.js';
import type { Rollups } from './rollups.js';

export interface ProjectRow {
  id: number;
  branch: number | null;
  issue: number | null;
  deploy_runs: number;
}

interface Beat {
  ts: number;
  branch: number | null;
  issue: number | null;
}

export class Activity {
  private readonly s: Record<string, SqlStatement>;
  // Per-batch caches (cleared by end()): project rows by path, each project's latest heartbeat,
  // and branch first-activity times still to write. Never kept across batches.
  private readonly projects = new Map<string, ProjectRow>();
  private readonly tails = new Map<number, Beat | null>();
  private readonly firsts = new Map<string, [number, number, number]>();

  constructor(db: SqlDatabase, private readonly settings: Settings, private readonly rollups: Rollups) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      project: p('SELECT id, branch, issue, deploy_runs FROM metrics__project WHERE path = ?'),
      addProject: p('INSERT INTO metrics__project (path) VALUES (?)'),
      setCurrent: p('UPDATE metrics__project SET branch = ?, issue = ? WHERE id = ?'),
      label: p('SELECT id FROM metrics__label WHERE name = ?'),
      addLabel: p('INSERT INTO metrics__label (name) VALUES (?)'),
      labelName: p('SELECT name FROM metrics__label WHERE id = ?'),
      beat: p('SELECT 1 FROM metrics__heartbeat WHERE project = ? AND ts = ?'),
      prev: p('SELECT ts, branch, issue FROM metrics__heartbeat WHERE project = ? AND ts < ? ORDER BY ts DESC LIMIT 1'),
      next: p('SELECT ts, branch, issue FROM metrics__heartbeat WHERE project = ? AND ts > ? ORDER BY ts LIMIT 1'),
      last: p('SELECT ts, branch, issue FROM metrics__heartbeat WHERE project = ? ORDER BY ts DESC LIMIT 1'),
      addBeat: p('INSERT INTO metrics__heartbeat (project, ts, branch, issue) VALUES (?, ?, ?, ?)'),
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

  /** End of a batch: write the gathered branch first-activity times and forget the caches. */
  end(write: boolean): void {
    if (write) for (const f of this.firsts.values()) this.s.branchFirst!.run(...f);
    this.projects.clear();
    this.tails.clear();
    this.firsts.clear();
  }

  label(name: string): number {
    const row = this.s.label!.get(name) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.s.addLabel!.run(name).lastInsertRowid);
  }

  labelName(id: number | null): string | null {
    return id === null ? null : ((this.s.labelName!.get(id) as { name: string } | undefined)?.name ?? null);
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
    const key = `${project}|${branch}`;
    const f = this.firsts.get(key);
    if (!f) this.firsts.set(key, [project, branch, ts]);
    else if (ts < f[2]) f[2] = ts;
  }

  branchFirst(project: number, branch: string): number | null {
    const id = this.s.label!.get(branch) as { id: number } | undefined;
    if (!id) return null;
    const stored = (this.s.firstOf!.get(project, id.id) as { first_ts: number } | undefined)?.first_ts ?? null;
    const pending = this.firsts.get(`${project}|${id.id}`)?.[2] ?? null;
    return stored === null ? pending : pending === null ? stored : Math.min(stored, pending);
  }

  /**
   * A heartbeat of project `p` at `ts`, attributed to its current branch and issue. A second one at
   * the same millisecond adds nothing; one between two earlier-stored heartbeats re-splits that gap.
   */
  heartbeat(p: ProjectRow, ts: number): void {
    const beat: Beat = { ts, branch: p.branch, issue: p.issue };
    let tail = this.tails.get(p.id);
    if (tail === undefined) tail = (this.s.last!.get(p.id) as Beat | undefined) ?? null;
    if (tail === null || ts > tail.ts) {
      // The usual case, in time order: after the latest heartbeat, nothing to re-split.
      this.credit(p.id, tail?.ts ?? null, beat, 1);
    } else {
      if (ts === tail.ts || this.s.beat!.get(p.id, ts)) return;
      const prev = this.s.prev!.get(p.id, ts) as Beat | undefined;
      const next = this.s.next!.get(p.id, ts) as Beat;
      this.credit(p.id, prev?.ts ?? null, next, -1);
      this.credit(p.id, ts, next, 1);
      this.credit(p.id, prev?.ts ?? null, beat, 1);
    }
    this.s.addBeat!.run(p.id, ts, p.branch, p.issue);
    this.tails.set(p.id, tail === null || ts > tail.ts ? beat : tail);
    if (p.branch !== null) this.touchBranch(p.id, p.branch, ts);
  }

  /** Add (sign 1) or take back (-1) what heartbeat `cur` earns after `prev`. */
  private credit(project: number, prev: number | null, cur: Beat, sign: 1 | -1): void {
    const c = contribution(prev, cur.ts, this.settings.idleMs, this.settings.minActiveMs);
    if (!c) return;
    for (const kind of KINDS) {
      for (const [start, ms] of pieces(c, kind, this.settings.offsetMs)) {
        this.rollups.addAt(kind, start, project, 'activeMs', sign * ms);
        if (kind !== 'h') continue;
        if (cur.branch !== null) this.rollups.addActive(project, 'b', start, cur.branch, sign * ms);
        if (cur.issue !== null) this.rollups.addActive(project, 'i', start, cur.issue, sign * ms);
      }
    }
  }
}

