// Commits, lines, reverts and hotfixes, AI-assisted commits and AI rework, squash merges and
// release tags. SQL only; no kernel. See README "Definitions".
import type { SqlDatabase, SqlStatement, StoredEvent } from '@devflow/plugin-sdk';
import type { Activity, ProjectRow } from './activity.js';
import type { Settings } from './config.js';
import type { DoraFold } from './dora-fold.js';
import { commitFacts, filesOf, isHotfix, isRevert, obj, str, type FileChange } from './fields.js';
import type { Rollups } from './rollups.js';
import { runOk } from './tests-fold.js';

interface CommitRow {
  project: number | null;
  ts: number | null;
  event_id: string | null;
  counted: number;
  ai: number;
  added: number;
  merge: number;
}

export class GitFold {
  private readonly s: Record<string, SqlStatement>;

  constructor(
    db: SqlDatabase,
    private readonly settings: Settings,
    private readonly rollups: Rollups,
    private readonly activity: Activity,
    private readonly dora: DoraFold,
    /** Reads a stored event back (the commit an attribution names). */
    private readonly readEvent: (id: string) => StoredEvent | undefined,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      get: p('SELECT project, ts, event_id, counted, ai, added, merge FROM metrics__commit WHERE hash = ?'),
      insert: p('INSERT INTO metrics__commit (hash, project, ts, event_id, counted, ai, added, merge) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      count: p('UPDATE metrics__commit SET project = ?, ts = ?, event_id = ?, counted = 1, added = ?, merge = ? WHERE hash = ?'),
      setAi: p('UPDATE metrics__commit SET ai = 1 WHERE hash = ?'),
      pool: p('INSERT OR IGNORE INTO metrics__ai_lines (project, path, ts, hash, remaining) VALUES (?, ?, ?, ?, ?)'),
      pools: p('SELECT ts, hash, remaining FROM metrics__ai_lines WHERE project = ? AND path = ? AND ts < ? AND ts >= ? AND remaining > 0 ORDER BY ts, hash'),
      take: p('UPDATE metrics__ai_lines SET remaining = ? WHERE project = ? AND path = ? AND ts = ? AND hash = ?'),
      rename: p('UPDATE OR IGNORE metrics__ai_lines SET path = ? WHERE project = ? AND path = ?'),
      runs: p('UPDATE metrics__project SET deploy_runs = deploy_runs + 1 WHERE id = ?'),
    };
  }

  /** `git-monitor.commit.created`. A hash is counted once, whatever repository or replay reports it again. */
  commit(e: StoredEvent, p: ProjectRow, ts: number): void {
    const c = commitFacts(obj(e.data));
    if (!c) return;
    if (c.branch !== null && !c.imported) this.activity.commitOn(p, c.branch, c.issueKeys);
    const branch = c.branch === null ? null : this.activity.label(c.branch);
    if (branch !== null) this.activity.touchBranch(p.id, branch, ts);
    this.activity.heartbeat(p, ts);
    if (c.rewrite) return; // a rebased or amended copy of work already counted under its first hash
    const row = this.s.get!.get(c.hash) as CommitRow | undefined;
    if (row?.counted) return;
    if (row) this.s.count!.run(p.id, ts, e.id, c.added, c.merge ? 1 : 0, c.hash);
    else this.s.insert!.run(c.hash, p.id, ts, e.id, 1, 0, c.added, c.merge ? 1 : 0);

    const r = this.rollups;
    r.add(p.id, 'commits', ts, 1);
    if (isRevert(c.subject, c.type)) {
      r.add(p.id, 'reverts', ts, 1);
      this.dora.marker(p.id, ts, e.seq, 'revert');
    } else if (isHotfix(c.subject, c.type, c.branch, this.settings.hotfixRe)) this.dora.marker(p.id, ts, e.seq, 'hotfix');
    if (row?.ai) this.assisted(p.id, c.hash, ts, c.added, c.files, c.merge);
    if (c.merge) return; // a merge repeats the lines of the commits it joins
    r.add(p.id, 'linesAdded', ts, c.added);
    r.add(p.id, 'linesRemoved', ts, c.removed);
    r.add(p.id, 'linesChanged', ts, c.added + c.removed);
    r.add(p.id, 'filesTouched', ts, c.fileCount);
    this.dora.change(p.id, c.hash, ts, branch);
    this.rework(p.id, ts, c.files);
  }

  /** `ai-monitor.commit.attributed`: once per hash; before its commit arrives it waits in the commit table. */
  attributed(e: StoredEvent, p: ProjectRow): void {
    const hash = str(obj(e.data).hash, 100);
    if (!hash) return;
    const row = this.s.get!.get(hash) as CommitRow | undefined;
    if (row?.ai) return;
    if (!row) return void this.s.insert!.run(hash, p.id, null, null, 0, 1, 0, 0);
    this.s.setAi!.run(hash);
    if (!row.counted || row.project === null || row.ts === null) return;
    const commit = row.event_id ? this.readEvent(row.event_id) : undefined;
    this.assisted(row.project, hash, row.ts, row.added, filesOf(obj(commit?.data).files), row.merge === 1);
  }

  /** `git-monitor.merge.detected` of kind squash: lead time from the merged branch's first activity. */
  merge(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const hash = str(d.hash, 100);
    if (d.kind !== 'squash' || !hash) return;
    const branch = str(d.mergedBranch, 500);
    const commitTs = (this.s.get!.get(hash) as CommitRow | undefined)?.ts ?? ts;
    this.dora.squash(p.id, hash, commitTs, branch === null ? null : this.activity.label(branch), branch === null ? null : this.activity.branchFirst(p.id, branch));
  }

  /** `git-monitor.tag.created`: a release tag is a deployment when `deploySignals` says so. */
  tag(e: StoredEvent, p: ProjectRow, ts: number): void {
    const tag = str(obj(e.data).tag, 500);
    const mode = this.settings.deploySignals;
    if (!tag || !this.settings.releaseRe.test(tag) || mode === 'runs') return;
    if (mode === 'auto' && p.deploy_runs > 0) return;
    this.dora.deploy(p.id, ts, true, e.seq);
  }

  /** `test-monitor.deploy.finished`. */
  deployRun(e: StoredEvent, p: ProjectRow, ts: number): void {
    this.s.runs!.run(p.id);
    p.deploy_runs += 1;
    if (this.settings.deploySignals === 'tags') return;
    const ok = runOk(obj(e.data));
    if (ok !== null) this.dora.deploy(p.id, ts, ok, e.seq);
  }

  private assisted(project: number, hash: string, ts: number, added: number, files: readonly FileChange[], merge: boolean): void {
    this.rollups.add(project, 'aiAssistedCommits', ts, 1);
    if (merge) return;
    this.rollups.add(project, 'aiLinesAdded', ts, added);
    for (const f of files) if (f.added > 0) this.s.pool!.run(project, f.path, ts, hash, f.added);
  }

  /** Lines removed from a file take back AI-added lines of that file from the last `reworkWindowDays`, oldest first. */
  private rework(project: number, ts: number, files: readonly FileChange[]): void {
    for (const f of files) {
      let removed = f.removed;
      const path = f.from ?? f.path;
      if (removed > 0) {
        for (const pool of this.s.pools!.all(project, path, ts, ts - this.settings.reworkMs) as { ts: number; hash: string; remaining: number }[]) {
          const take = Math.min(removed, pool.remaining);
          this.s.take!.run(pool.remaining - take, project, path, pool.ts, pool.hash);
          this.rollups.add(project, 'aiLinesReworked', pool.ts, take);
          removed -= take;
          if (!removed) break;
        }
      }
      if (f.from !== null && f.from !== f.path) this.s.rename!.run(f.path, project, f.from);
    }
  }
}
