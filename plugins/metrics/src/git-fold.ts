// Commits, lines, reverts and hotfixes, AI-assisted commits and AI rework, squash merges and
// release tags. SQL only; no kernel. See README "Definitions".
import type { SqlDatabase, SqlStatement, StoredEvent } from '@devflow/plugin-sdk';
import type { Activity, ProjectRow } from './activity.js';
import { CommitLedger } from './commits.js';
import type { Settings } from './config.js';
import type { DoraFold } from './dora-fold.js';
import { commitFacts, filesOf, isHotfix, isRevert, obj, str, type FileChange } from './fields.js';
import type { Rollups } from './rollups.js';
import { runOk } from './tests-fold.js';

interface Pool {
  path: string;
  ts: number;
  hash: string;
  remaining: number;
}

/** The time an event was reported at (its own `ts`), which finds a hash again; else the counted time. */
function reportedAt(e: StoredEvent, ts: number): number {
  return typeof e.ts === 'number' && Number.isFinite(e.ts) ? e.ts : ts;
}

/** Pools oldest first (ties by hash, as the table orders them). */
function sortPools(pools: Pool[]): Pool[] {
  return pools.length > 1 ? pools.sort((a, b) => a.ts - b.ts || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0)) : pools;
}

/** How far a project's rework window may move on before its pool cache is loaded again. */
const RELOAD_MS = 86_400_000;

/** Files looked up per rework query (longer lists are cut into chunks). */
const CHUNK = 16;

export class GitFold {
  private readonly s: Record<string, SqlStatement>;
  private readonly poolQueries: SqlStatement[] = [];
  /** The time of each project's latest AI-lines pool (null: none), so commits of projects without recent AI lines skip the lookup. */
  private readonly latestPool = new Map<number, number | null>();
  /**
   * Per project: the paths with AI lines dated `from` or later (a superset: spent pools stay listed),
   * and the pools of the paths looked up so far (kept in step with the table), so a file changed by
   * several commits is read once. Both caches live across batches (see `forget`); a window that has
   * moved on by more than a day is loaded again, which also bounds what is kept.
   */
  private readonly pools = new Map<number, { from: number; paths: Set<string>; byPath: Map<string, Pool[]> }>();
  private readonly poolsFrom: SqlStatement[] = [];
  private readonly commits: CommitLedger;

  constructor(
    db: SqlDatabase,
    private readonly settings: Settings,
    private readonly rollups: Rollups,
    private readonly activity: Activity,
    private readonly dora: DoraFold,
    /** Reads a stored event back by its `seq` (the commit an attribution names). */
    private readonly readEvent: (seq: number) => StoredEvent | undefined,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.commits = new CommitLedger(db);
    for (let n = 1; n <= CHUNK; n++) {
      this.poolsFrom[n] = p(`SELECT path, ts, hash, remaining FROM metrics__ai_lines WHERE project = ? AND path IN (${Array(n).fill('?').join(', ')}) AND ts >= ?`);
      this.poolQueries[n] = p(
        `SELECT path, ts, hash, remaining FROM metrics__ai_lines WHERE project = ? AND path IN (${Array(n).fill('?').join(', ')}) AND ts < ? AND ts >= ? AND remaining > 0`,
      );
    }
    this.s = {
      poolTs: p('SELECT ai_pool_ts AS ts FROM metrics__project WHERE id = ?'),
      poolPaths: p('SELECT DISTINCT path FROM metrics__ai_lines WHERE project = ? AND ts >= ?'),
      setPoolTs: p('UPDATE metrics__project SET ai_pool_ts = ? WHERE id = ? AND (ai_pool_ts IS NULL OR ai_pool_ts < ?)'),
      pool: p('INSERT OR IGNORE INTO metrics__ai_lines (project, path, ts, hash, remaining) VALUES (?, ?, ?, ?, ?)'),
      pools: p('SELECT path, ts, hash, remaining FROM metrics__ai_lines WHERE project = ? AND path = ? AND ts < ? AND ts >= ? AND remaining > 0 ORDER BY ts, hash'),
      take: p('UPDATE metrics__ai_lines SET remaining = ? WHERE project = ? AND path = ? AND ts = ? AND hash = ?'),
      // A pool with nothing left is never read again: dropped, so the table holds only live AI lines.
      spent: p('DELETE FROM metrics__ai_lines WHERE project = ? AND path = ? AND ts = ? AND hash = ?'),
      rename: p('UPDATE OR IGNORE metrics__ai_lines SET path = ? WHERE project = ? AND path = ?'),
      runs: p('UPDATE metrics__project SET deploy_runs = deploy_runs + 1 WHERE id = ?'),
    };
  }

  /** `git-monitor.commit.created`. A hash is counted once, whatever repository or replay reports it again (within a day). */
  commit(e: StoredEvent, p: ProjectRow, ts: number): void {
    const c = commitFacts(obj(e.data));
    if (!c) return;
    if (c.branch !== null && !c.imported) this.activity.commitOn(p, c.branch, c.issueKeys);
    const branch = c.branch === null ? null : this.activity.label(c.branch);
    if (branch !== null) this.activity.touchBranch(p.id, branch, ts);
    this.activity.heartbeat(p, ts);
    if (c.rewrite) return; // a rebased or amended copy of work already counted under its first hash
    const row = this.commits.claim(c.hash, reportedAt(e, ts), p.id, ts, e.seq, c.added, c.merge);
    if (!row) return; // counted before

    const r = this.rollups;
    r.add(p.id, 'commits', ts, 1);
    if (isRevert(c.subject, c.type)) {
      r.add(p.id, 'reverts', ts, 1);
      this.dora.marker(p.id, ts, e.seq, 'revert');
    } else if (isHotfix(c.subject, c.type, c.branch, this.settings.hotfixRe)) this.dora.marker(p.id, ts, e.seq, 'hotfix');
    if (row.ai) this.assisted(p.id, c.hash, ts, c.added, c.files, c.merge);
    if (c.merge) return; // a merge repeats the lines of the commits it joins
    r.add(p.id, 'linesAdded', ts, c.added);
    r.add(p.id, 'linesRemoved', ts, c.removed);
    r.add(p.id, 'linesChanged', ts, c.added + c.removed);
    r.add(p.id, 'filesTouched', ts, c.fileCount);
    if (row.squash_project !== p.id) this.dora.change(p.id, c.hash, ts, branch);
    this.rework(p.id, ts, c.files);
  }

  /** `ai-monitor.commit.attributed`: once per hash; before its commit arrives it waits in the commit table. */
  attributed(e: StoredEvent, p: ProjectRow): void {
    const hash = str(obj(e.data).hash, 100);
    if (!hash) return;
    const row = this.commits.attribute(hash, reportedAt(e, e.ts), p.id);
    if (!row?.counted || row.project === null || row.ts === null) return;
    const commit = row.seq !== null ? this.readEvent(row.seq) : undefined;
    this.assisted(row.project, hash, row.ts, row.added, filesOf(obj(commit?.data).files), row.merge === 1);
  }

  /** `git-monitor.merge.detected` of kind squash: lead time from the merged branch's first activity. */
  merge(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const hash = str(d.hash, 100);
    if (d.kind !== 'squash' || !hash) return;
    const branch = str(d.mergedBranch, 500);
    const at = reportedAt(e, ts);
    const row = this.commits.find(hash, at);
    const commitTs = row?.ts ?? ts;
    // The hash's change in this project: added by an earlier squash merge, or by its counted non-merge commit.
    const existing = row?.squash_project === p.id ? row.squash_ts : row?.counted && !row.merge && row.project === p.id ? row.ts : null;
    const label = branch === null ? null : this.activity.label(branch);
    const first = branch === null ? null : this.activity.branchFirst(p.id, branch);
    if (this.dora.squash(p.id, hash, commitTs, label, first, existing)) this.commits.squashed(hash, at, p.id, commitTs, row);
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
    let pooled = false;
    const c = this.pools.get(project);
    for (const f of files) {
      if (f.added <= 0 || !this.s.pool!.run(project, f.path, ts, hash, f.added).changes) continue;
      pooled = true;
      if (!c) continue;
      c.paths.add(f.path);
      const list = c.byPath.get(f.path);
      if (list && ts >= c.from) sortPools((list.push({ path: f.path, ts, hash, remaining: f.added }), list));
    }
    if (!pooled) return;
    const latest = this.poolTime(project);
    if (latest !== null && latest >= ts) return;
    this.latestPool.set(project, ts);
    this.s.setPoolTs!.run(ts, project, ts);
  }

  /** Drop the caches (the tables may have changed behind them). */
  forget(): void {
    this.latestPool.clear();
    this.pools.clear();
  }

  /** The batch's pool cache of a project, loaded from `since` on; undefined for a window starting before the loaded one. */
  private poolCache(project: number, since: number): { from: number; paths: Set<string>; byPath: Map<string, Pool[]> } | undefined {
    const cached = this.pools.get(project);
    if (cached && cached.from > since) return undefined;
    if (cached && since - cached.from <= RELOAD_MS) return cached;
    const paths = new Set((this.s.poolPaths!.all(project, since) as { path: string }[]).map((r) => r.path));
    const c = { from: since, paths, byPath: new Map<string, Pool[]>() };
    this.pools.set(project, c);
    return c;
  }

  private poolTime(project: number): number | null {
    let t = this.latestPool.get(project);
    if (t === undefined) this.latestPool.set(project, (t = (this.s.poolTs!.get(project) as { ts: number | null } | undefined)?.ts ?? null));
    return t;
  }

  /**
   * Lines removed from a file take back AI-added lines of that file from the last `reworkWindowDays`,
   * oldest first. One query for all the commit's files; file by file only when it renames some
   * (the pools move with the rename, and a later file of the same commit must see that).
   */
  private rework(project: number, ts: number, files: readonly FileChange[]): void {
    const since = ts - this.settings.reworkMs;
    const latest = this.poolTime(project);
    if (latest === null) return; // no AI lines at all: nothing to rework or rename
    if (files.some((f) => f.from !== null && f.from !== f.path)) {
      for (const f of files) {
        const path = f.from ?? f.path;
        if (f.removed > 0) this.take(project, path, this.s.pools!.all(project, path, ts, since) as Pool[], f.removed);
        if (f.from !== null && f.from !== f.path) this.s.rename!.run(f.path, project, f.from);
      }
      this.pools.delete(project);
      return;
    }
    if (latest < since || !files.some((f) => f.removed > 0)) return; // no AI lines in the window, or nothing removed
    const c = this.poolCache(project, since);
    if (!c) return this.reworkLate(project, ts, since, files); // a window before the one loaded for this batch
    const need = [...new Set(files.filter((f) => f.removed > 0 && c.paths.has(f.path) && !c.byPath.has(f.path)).map((f) => f.path))];
    for (const p of need) c.byPath.set(p, []);
    for (const pool of this.query(this.poolsFrom, need, (chunk) => [project, ...chunk, c.from])) c.byPath.get(pool.path)!.push(pool);
    for (const p of need) sortPools(c.byPath.get(p)!);
    for (const f of files) {
      const pools = f.removed > 0 ? c.byPath.get(f.path) : undefined;
      if (pools?.length) this.take(project, f.path, pools, f.removed, since, ts);
    }
  }

  /** Rework of a commit dated before the window loaded for this batch: read its pools directly. */
  private reworkLate(project: number, ts: number, since: number, files: readonly FileChange[]): void {
    const paths = [...new Set(files.filter((f) => f.removed > 0).map((f) => f.path))];
    const byPath = new Map<string, Pool[]>(paths.map((p) => [p, []]));
    for (const pool of this.query(this.poolQueries, paths, (chunk) => [project, ...chunk, ts, since])) byPath.get(pool.path)!.push(pool);
    for (const f of files) {
      const pools = f.removed > 0 ? byPath.get(f.path) : undefined;
      if (pools?.length) this.take(project, f.path, sortPools(pools), f.removed, since, ts);
    }
    this.pools.delete(project); // the cached copies of those pools may be stale now
  }

  /** Run a per-arity statement over `paths` in chunks. */
  private query(statements: SqlStatement[], paths: string[], args: (chunk: string[]) => unknown[]): Pool[] {
    const out: Pool[] = [];
    for (let i = 0; i < paths.length; i += CHUNK) {
      const chunk = paths.slice(i, i + CHUNK);
      out.push(...(statements[chunk.length]!.all(...args(chunk)) as Pool[]));
    }
    return out;
  }

  /** Take up to `removed` lines from the pools of one file dated in [since, before), oldest first (pools are updated in place). */
  private take(project: number, path: string, pools: Pool[], removed: number, since = -Infinity, before = Infinity): void {
    for (const pool of pools) {
      if (!removed || pool.ts >= before) break;
      if (pool.ts < since) continue;
      const take = Math.min(removed, pool.remaining);
      if (!take) continue;
      pool.remaining -= take;
      if (pool.remaining > 0) this.s.take!.run(pool.remaining, project, path, pool.ts, pool.hash);
      else this.s.spent!.run(project, path, pool.ts, pool.hash);
      this.rollups.addRework(project, pool.ts, take);
      removed -= take;
    }
  }
}
