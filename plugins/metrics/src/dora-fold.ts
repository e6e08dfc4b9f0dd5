// DORA bookkeeping: changes waiting to be deployed, deployments, failure signals (failed deploys,
// reverts, hotfixes) and restores. SQL only; no kernel. See README "Definitions".
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { Rollups } from './rollups.js';

// metrics__change.state: 0 pending, 1 deployed, 2 absorbed (a squash merge's commit stands for it).

interface Deploy {
  id: number;
  ts: number;
  failed: number;
}

export class DoraFold {
  private readonly s: Record<string, SqlStatement>;

  constructor(db: SqlDatabase, private readonly windowMs: number, private readonly rollups: Rollups) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      addChange: p('INSERT OR IGNORE INTO metrics__change (project, hash, ts, first_ts, branch, state) VALUES (?, ?, ?, ?, ?, 0)'),
      change: p('SELECT ts, first_ts, state FROM metrics__change WHERE project = ? AND hash = ?'),
      setFirst: p('UPDATE metrics__change SET first_ts = ? WHERE project = ? AND hash = ? AND state = 0 AND first_ts > ?'),
      absorb: p('UPDATE metrics__change SET state = 2 WHERE project = ? AND branch = ? AND state = 0 AND hash <> ?'),
      pending: p('SELECT hash, first_ts FROM metrics__change WHERE project = ? AND state = 0 AND ts <= ? ORDER BY ts'),
      deployed: p('UPDATE metrics__change SET state = 1, deployed_at = ? WHERE project = ? AND hash = ?'),
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
    if (!this.s.addChange!.run(project, hash, ts, ts, branch).changes) return;
    const d = this.s.firstOkFrom!.get(project, ts) as Deploy | undefined;
    if (d) this.deployChange(project, hash, ts, d.ts);
  }

  /**
   * A squash merge: its commit stands for the merged branch's work, so its lead time starts at
   * the branch's first commit or first edit, and the branch's own pending commits are not counted again.
   */
  squash(project: number, hash: string, ts: number, branch: number | null, branchFirst: number | null): void {
    const first = branchFirst ?? ts;
    if (!this.s.change!.get(project, hash)) this.s.addChange!.run(project, hash, ts, first, null);
    else this.s.setFirst!.run(first, project, hash, first);
    if (branch !== null) this.s.absorb!.run(project, branch, hash);
  }

  /** A deployment attempt at `ts`. */
  deploy(project: number, ts: number, ok: boolean, seq: number): void {
    this.rollups.add(project, 'deploys', ts, 1);
    if (!ok) {
      this.rollups.add(project, 'deploysFailed', ts, 1);
      const id = Number(this.s.addDeploy!.run(project, ts, 0, 1, ts).lastInsertRowid);
      this.restoreLater({ id, ts, failed: 1 }, project, ts);
      this.marker(project, ts, seq, 'deploy-failed');
      return;
    }
    this.rollups.add(project, 'deployments', ts, 1);
    const id = Number(this.s.addDeploy!.run(project, ts, 1, 0, null).lastInsertRowid);
    for (const c of this.s.pending!.all(project, ts) as { hash: string; first_ts: number }[]) this.deployChange(project, c.hash, c.first_ts, ts);
    for (const f of this.s.unrestored!.all(project, ts) as { id: number; ts: number }[]) this.restored(project, f, ts);
    // A failure signal stored before this deploy but dated after it (events out of order).
    const m = this.s.nextMarker!.get(project, ts, ts + this.windowMs) as { ts: number } | undefined;
    if (m && !this.s.okBetween!.get(project, ts, m.ts)) this.fail(project, { id, ts, failed: 0 }, m.ts);
  }

  /** A failure signal (failed deploy, revert, hotfix) at `ts`: the last good deploy within the window before it failed. */
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

  private deployChange(project: number, hash: string, firstTs: number, at: number): void {
    this.s.deployed!.run(at, project, hash);
    this.rollups.add(project, 'changes', at, 1);
    this.rollups.sample(project, 'leadMs', at, Math.max(0, at - firstTs));
  }
}

