// The monitor's own tables: every commit it has recorded (so an import run twice, or by two
// processes, records each commit once), each repository's last known state, and the merges and tags
// already reported. Knows SQL, not the kernel.
import type { Migration, SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { CommitData } from './log-parser.js';
import type { RepoState } from './refs.js';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'commits, repositories, merges, tags',
    up: `
      CREATE TABLE git_monitor__commits (
        repo TEXT NOT NULL,
        hash TEXT NOT NULL,
        project TEXT,
        branch TEXT,
        parents TEXT NOT NULL,
        author_name TEXT NOT NULL,
        author_email TEXT NOT NULL,
        authored_at INTEGER NOT NULL,
        committed_at INTEGER NOT NULL,
        subject TEXT NOT NULL,
        conventional_type TEXT,
        issue_keys TEXT,
        files INTEGER NOT NULL,
        added INTEGER NOT NULL,
        removed INTEGER NOT NULL,
        imported INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (repo, hash)
      );
      CREATE INDEX git_monitor__commits_time ON git_monitor__commits (committed_at);
      CREATE TABLE git_monitor__repos (
        repo TEXT PRIMARY KEY,
        project TEXT,
        common_dir TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        backfilled_at INTEGER
      );
      CREATE TABLE git_monitor__merges (repo TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, recorded_at INTEGER NOT NULL, PRIMARY KEY (repo, hash));
      CREATE TABLE git_monitor__tags (repo TEXT NOT NULL, name TEXT NOT NULL, target TEXT NOT NULL, recorded_at INTEGER NOT NULL, PRIMARY KEY (repo, name, target));
    `,
    down: `
      DROP TABLE git_monitor__tags;
      DROP TABLE git_monitor__merges;
      DROP TABLE git_monitor__repos;
      DROP TABLE git_monitor__commits;
    `,
  },
];

export interface StoredRepo {
  repo: string;
  project: string | null;
  state: RepoState;
  version: number;
  backfilledAt: number | null;
}

export interface CommitRow {
  repo: string;
  hash: string;
  project: string | null;
  branch: string | null;
  parents: string;
  author_name: string;
  author_email: string;
  authored_at: number;
  committed_at: number;
  subject: string;
  conventional_type: string | null;
  issue_keys: string | null;
  files: number;
  added: number;
  removed: number;
  imported: number;
  rowid: number;
}

export interface CommitFilter {
  repos?: readonly string[];
  project?: string;
  branch?: string;
  since?: number;
  until?: number;
  /** Substring of the author's name or email, case-insensitive. */
  author?: string;
  /** Continue after this (committed_at, rowid). */
  after?: { ts: number; rowid: number };
  limit: number;
}

/** Thrown inside a transaction when another process changed a repository's state first. */
export class StaleStateError extends Error {
  constructor(repo: string) {
    super(`state of ${repo} changed in another process`);
  }
}

export class GitStore {
  private readonly insertCommit: SqlStatement;
  private readonly getRepoStmt: SqlStatement;
  private readonly insertRepoStmt: SqlStatement;
  private readonly updateRepoStmt: SqlStatement;
  private readonly insertMergeStmt: SqlStatement;
  private readonly insertTagStmt: SqlStatement;
  private readonly hasCommitStmt: SqlStatement;
  private readonly markBackfilledStmt: SqlStatement;
  private readonly knownReposStmt: SqlStatement;

  constructor(private readonly db: SqlDatabase) {
    this.insertCommit = db.prepare(
      `INSERT OR IGNORE INTO git_monitor__commits (repo, hash, project, branch, parents, author_name, author_email, authored_at, committed_at, subject, conventional_type, issue_keys, files, added, removed, imported, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.knownReposStmt = db.prepare('SELECT repo FROM git_monitor__repos UNION SELECT DISTINCT repo FROM git_monitor__commits ORDER BY repo');
    this.hasCommitStmt = db.prepare('SELECT 1 FROM git_monitor__commits WHERE repo = ? AND hash = ?');
    this.getRepoStmt = db.prepare('SELECT repo, project, state, version, backfilled_at FROM git_monitor__repos WHERE repo = ?');
    this.markBackfilledStmt = db.prepare('UPDATE git_monitor__repos SET backfilled_at = ? WHERE repo = ?');
    this.insertRepoStmt = db.prepare('INSERT OR IGNORE INTO git_monitor__repos (repo, project, common_dir, state, version, first_seen, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)');
    this.updateRepoStmt = db.prepare('UPDATE git_monitor__repos SET state = ?, project = ?, version = version + 1, updated_at = ? WHERE repo = ? AND version = ?');
    this.insertMergeStmt = db.prepare('INSERT OR IGNORE INTO git_monitor__merges (repo, hash, kind, recorded_at) VALUES (?, ?, ?, ?)');
    this.insertTagStmt = db.prepare('INSERT OR IGNORE INTO git_monitor__tags (repo, name, target, recorded_at) VALUES (?, ?, ?, ?)');
  }

  /** Run `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Record a commit; true when it is new (callers emit only then). */
  addCommit(c: CommitData, project: string | null, now: number): boolean {
    return (
      this.insertCommit.run(
        c.repo,
        c.hash,
        project,
        c.branch,
        c.parents.join(' '),
        c.author.name,
        c.author.email,
        Date.parse(c.authoredAt),
        Date.parse(c.committedAt),
        c.subject,
        c.conventional?.type ?? null,
        c.issueKeys.length ? c.issueKeys.join(' ') : null,
        c.stats.files,
        c.stats.added,
        c.stats.removed,
        c.imported ? 1 : 0,
        now,
      ).changes === 1
    );
  }

  hasCommit(repo: string, hash: string): boolean {
    return this.hasCommitStmt.get(repo, hash) !== undefined;
  }

  /** Record a merge; true when it is new. */
  addMerge(repo: string, hash: string, kind: string, now: number): boolean {
    return this.insertMergeStmt.run(repo, hash, kind, now).changes === 1;
  }

  /** Record a tag; true when it is new. */
  addTag(repo: string, name: string, target: string, now: number): boolean {
    return this.insertTagStmt.run(repo, name, target, now).changes === 1;
  }

  getRepo(repo: string): StoredRepo | undefined {
    const row = this.getRepoStmt.get(repo) as { repo: string; project: string | null; state: string; version: number; backfilled_at: number | null } | undefined;
    if (!row) return undefined;
    try {
      return { repo: row.repo, project: row.project, state: JSON.parse(row.state) as RepoState, version: row.version, backfilledAt: row.backfilled_at };
    } catch {
      return undefined;
    }
  }

  /** Remember a repository seen for the first time; false when another process already did. */
  addRepo(repo: string, project: string | null, commonDir: string, state: RepoState, now: number): boolean {
    return this.insertRepoStmt.run(repo, project, commonDir, JSON.stringify(state), now, now).changes === 1;
  }

  markBackfilled(repo: string, now: number): void {
    this.markBackfilledStmt.run(now, repo);
  }

  /** Replace a repository's state if it is still at `version`; throws {@link StaleStateError} otherwise. */
  updateRepo(repo: string, project: string | null, state: RepoState, version: number, now: number): void {
    if (this.updateRepoStmt.run(JSON.stringify(state), project, now, repo, version).changes !== 1) throw new StaleStateError(repo);
  }

  /** Every repository recorded: seen by the monitor or imported by a tool. */
  knownRepos(): string[] {
    return (this.knownReposStmt.all() as { repo: string }[]).map((r) => r.repo);
  }

  /** Commits newest first (by commit time), filtered, one page. */
  commits(f: CommitFilter): CommitRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.repos !== undefined) (where.push(`repo IN (${f.repos.map(() => '?').join(', ')})`), params.push(...f.repos));
    if (f.project !== undefined) (where.push('project = ?'), params.push(f.project));
    if (f.branch !== undefined) (where.push('branch = ?'), params.push(f.branch));
    if (f.since !== undefined) (where.push('committed_at >= ?'), params.push(f.since));
    if (f.until !== undefined) (where.push('committed_at < ?'), params.push(f.until));
    if (f.author !== undefined) {
      where.push("(author_name LIKE ? ESCAPE '\\' OR author_email LIKE ? ESCAPE '\\')");
      const like = `%${f.author.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like);
    }
    if (f.after) (where.push('(committed_at < ? OR (committed_at = ? AND rowid < ?))'), params.push(f.after.ts, f.after.ts, f.after.rowid));
    const sql = `SELECT rowid, * FROM git_monitor__commits ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY committed_at DESC, rowid DESC LIMIT ?`;
    return this.db.prepare(sql).all(...params, f.limit) as CommitRow[];
  }
}
