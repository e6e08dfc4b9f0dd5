// DORA bookkeeping: changes waiting to be deployed, deployments, failure signals (failed deploys,
// reverts, hotfixes) and restores. SQL only; no kernel. See README "Definitions".
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { hashKey } from './commits.js';
import type { Rollups } from './rollups.js';

// Every change ever added is a row of metrics__change, keyed time first (rows land at its end), so a
// change is added once. The changes still waiting for a deploy are also rows of metrics__pending,
// keyed by project then time: a deploy takes (deletes) a run of rows that sit together, and a
// squash merge drops the changes of its branch it stands for. Nothing else reads a change once it
// left pending, so that table stays small and a batch dirties few of its pages.

interface Deploy {
  id: number;
  ts: number;
  failed: number;
}

export class DoraFold {
  private readonly s: Record<string, SqlStatement>;
  /** The time of each project's latest successful deploy (null: none), to skip looking for one after a change; kept in step with the table across batches (see `forget`). */
  private readonly latestOk = new Map<number, number | null>();

  constructor(db: SqlDatabase, private readonly windowMs: number, private readonly rollups: Rollups) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      addChange: p('INSERT OR IGNORE INTO metrics__change (ts, hash, project) VALUES (?, ?, ?)'),
      addPending: p('INSERT INTO metrics__pending (project, ts, hash, first_ts, branch) VALUES (?, ?, ?, ?, ?)'),
      setFirst: p('UPDATE metrics__pending SET first_ts = ? WHERE project = ? AND ts = ? AND hash = ? AND first_ts > ?'),
      absorb: p('DELETE FROM metrics__pending WHERE project = ? AND branch = ? AND hash <> ?'),
      pending: p('SELECT first_ts FROM metrics__pending WHERE project = ? AND ts <= ? ORDER BY ts, hash'),
      deployAll: p('DELETE FROM metrics__pending WHERE project = ? AND ts <= ?'),
      latestOk: p('SELECT ts FROM metrics__deploy WHERE project = ? AND ok = 1 ORDER BY ts DESC LIMIT 1'),
      addDeploy: p('INSERT INTO metrics__deploy (project, ts, ok, failed, signal_ts) VALUES (?, ?, ?, ?, ?)'),
      firstOkAfter: p('SELECT id, ts, failed FROM metrics__deploy WHERE project = ? AND ok = 1 AND ts > ? ORDER BY ts, id LIMIT 1'),
      firstOkFrom: p('SELECT id, ts, failed FROM metrics__deploy WHERE project = ? AND ok = 1 AND ts >= ? ORDER BY ts, id LIMIT 1'),
      lastOkIn: p('SELECT id, ts, failed FROM metrics__deploy WHERE project = ? AND ok = 1 AND ts >= ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT 1'),
      okBetween: p('SELECT 1 FROM metrics__deploy WHERE project = ? AND ok = 1 AND ts > ? AND ts < ? LIMIT 1'),
      markFailed: p('UPDATE metrics__deploy SET failed = 1, signal_ts = ? WHERE id = ?'),
      unrestored: p('SELECT id, ts FROM metrics__deploy WHERE project = ? AND failed = 1 AND restored_at IS NULL AND signal_ts < ?'),
      restore: p('UPDATE metrics__deploy SET restored_at = ? WHERE id = ?'),
      addMarker: p('INSERT OR IGNORE INTO metrics__marker (project, ts, seq, kind) VALUES (?, ?, ?, ?)'),
      nextMarker: p('SELECT ts FROM metrics__marker WHERE project = ? AND ts > ? AND ts <= ? ORDER BY ts LIMIT 1'),
    };
  }

  /** A commit that is a change to deploy. One that an earlier-stored deploy already covers is deployed by it at once. */
  change(project: number, hash: string, ts: number, branch: number | null): void {
    const key = hashKey(hash);
    if (!this.s.addChange!.run(ts, key, project).changes) return;
    // The usual case: no deploy at or after it yet.
    const d = (this.latest(project) ?? -Infinity) < ts ? undefined : (this.s.firstOkFrom!.get(project, ts) as Deploy | undefined);
    if (d) this.counted(project, ts, d.ts);
    else this.s.addPending!.run(project, ts, key, ts, branch);
  }

  /** Drop the cache (the tables may have changed behind it). */
  forget(): void {
    this.latestOk.clear();
  }

  private latest(project: number): number | null {
    let t = this.latestOk.get(project);
    if (t === undefined) this.latestOk.set(project, (t = (this.s.latestOk!.get(project) as { ts: number } | undefined)?.ts ?? null));
    return t;
  }

  /**
   * A squash merge: its commit stands for the merged branch's work, so its lead time starts at
   * the branch's first commit or first edit, and the branch's own pending commits are not counted again.
   * `existing`: the time of the commit's change in this project, if it has one. True when a change was added.
   */
  squash(project: number, hash: string, ts: number, branch: number | null, branchFirst: number | null, existing: number | null): boolean {
    const first = branchFirst ?? ts;
    const key = hashKey(hash);
    let added = false;
    if (existing === null) added = this.s.addChange!.run(ts, key, project).changes > 0;
    else this.s.setFirst!.run(first, project, existing, key, first);
    if (added) this.s.addPending!.run(project, ts, key, first, null);
    if (branch !== null) this.s.absorb!.run(project, branch, key);
    return added;
  }

  /** A deployment attempt at `ts`. */
  deploy(project: number, ts: number, ok: boolean, seq: number): void {
    this.rollups.add(project, 'deploys', ts, 1);
    if (!ok) {
      this.rollups.add(project, 'deploysFailed', ts, 1);
      const id = Number(this.s.addDeploy!.run(project, ts, 0, 1, ts).lastInsertRowid);
      // A failed run is a failed change itself; it says nothing about the deploy before it (that one
      // counts as failed only when a revert or hotfix follows it).
      this.restoreLater({ id, ts, failed: 1 }, project, ts);
      return;
    }
    this.rollups.add(project, 'deployments', ts, 1);
    const latest = this.latest(project);
    this.latestOk.set(project, latest === null ? ts : Math.max(latest, ts));
    const id = Number(this.s.addDeploy!.run(project, ts, 1, 0, null).lastInsertRowid);
    const pending = this.s.pending!.all(project, ts) as { first_ts: number }[];
    if (pending.length) this.s.deployAll!.run(project, ts);
    for (const c of pending) this.counted(project, c.first_ts, ts);
    for (const f of this.s.unrestored!.all(project, ts) as { id: number; ts: number }[]) this.restored(project, f, ts);
    // A failure signal stored before this deploy but dated after it (events out of order).
    const m = this.s.nextMarker!.get(project, ts, ts + this.windowMs) as { ts: number } | undefined;
    if (m && !this.s.okBetween!.get(project, ts, m.ts)) this.fail(project, { id, ts, failed: 0 }, m.ts);
  }

  /** A failure signal (a revert or hotfix commit) at `ts`: the last good deploy within the window before it failed. */
  marker(project: number, ts: number, seq: number, kind: string): void {
    if (!this.s.addMarker!.run(project, ts, seq, kind).changes) return;
    const d = this.s.lastOkIn!.get(project, ts - this.windowMs, ts) as Deploy | undefined;
    if (d && !d.failed) this.fail(project, d, ts);
  }

  private fail(project: number, d: Deploy, signal: number): void {
    this.s.markFailed!.run(signal, d.id);
    this.rollups.add(project, 'deploysFailed', d.ts, 1);
    this.restoreLater(d, project, signal);
  }

  /** A successful deploy stored earlier but dated after the failure restores it. */
  private restoreLater(d: Deploy, project: number, signal: number): void {
    const next = this.s.firstOkAfter!.get(project, signal) as Deploy | undefined;
    if (next) this.restored(project, d, next.ts);
  }

  private restored(project: number, failed: { id: number; ts: number }, at: number): void {
    this.s.restore!.run(at, failed.id);
    this.rollups.add(project, 'restores', at, 1);
    this.rollups.sample(project, 'restoreMs', at, Math.max(0, at - failed.ts));
  }

  /** A change deployed at `at`: counted, and its lead time sampled. */
  private counted(project: number, firstTs: number, at: number): void {
    this.rollups.add(project, 'changes', at, 1);
    this.rollups.sample(project, 'leadMs', at, Math.max(0, at - firstTs));
  }
}

