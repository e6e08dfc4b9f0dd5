// metrics' tables, all under the `metrics__` prefix. Everything here is derived from the event log
// by the projection and can be rebuilt from it.
import type { Migration, SqlDatabase } from '@devflow/plugin-sdk';

const SHARED = ['project', 'label', 'sample', 'active_by', 'branch', 'commit', 'ai_lines', 'ai_session', 'test_state', 'flip', 'change', 'deploy', 'marker'];
const V1_TABLES = [...SHARED, 'test_run', 'coverage', 'rollup', 'hist', 'heartbeat'].map((t) => `metrics__${t}`);
/** The tables of the current schema (emptied before a rebuild). */
export const TABLES = [...SHARED, 'run', 'bucket', 'bins', 'rework', 'session', 'pending'].map((t) => `metrics__${t}`);
/** The metric columns of `metrics__bucket` as of version 2 (a later metric needs a migration; a unit test keeps this list and ROLLUP_METRICS equal). */
export const V2_METRICS = [
  'activeMs', 'commits', 'reverts', 'linesAdded', 'linesRemoved', 'linesChanged', 'filesTouched', 'aiAssistedCommits', 'aiLinesAdded',
  'testRuns', 'testFailures', 'buildRuns', 'buildFailures', 'buildMs', 'aiSessionMs', 'aiTokens', 'deploys', 'deploysFailed', 'deployments', 'changes', 'restores',
];
const METRIC_COLUMNS = V2_METRICS.map((m) => `"${m}" REAL NOT NULL DEFAULT 0`).join(', ');

// Version 2's commit and change tables (version 3 replaces them; its `down` puts them back).
const V2_COMMIT = `CREATE TABLE metrics__commit (day INTEGER NOT NULL, hash TEXT NOT NULL, project INTEGER, ts INTEGER, event_id TEXT, counted INTEGER NOT NULL, ai INTEGER NOT NULL,
        added INTEGER NOT NULL DEFAULT 0, merge INTEGER NOT NULL DEFAULT 0, squash_project INTEGER, squash_ts INTEGER, PRIMARY KEY (day, hash)) WITHOUT ROWID;`;
const V2_CHANGE = `CREATE TABLE metrics__change (ts INTEGER NOT NULL, hash TEXT NOT NULL, project INTEGER NOT NULL, first_ts INTEGER NOT NULL, branch INTEGER,
        state INTEGER NOT NULL, deployed_at INTEGER, PRIMARY KEY (ts, hash, project)) WITHOUT ROWID;
      CREATE INDEX metrics__change_pending ON metrics__change (project, ts) WHERE state = 0;`;

const V1_UP = `
      CREATE TABLE metrics__project (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, branch INTEGER, issue INTEGER, deploy_runs INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE metrics__label (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE metrics__rollup (kind TEXT NOT NULL, start INTEGER NOT NULL, project INTEGER NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL,
        PRIMARY KEY (kind, start, project, metric)) WITHOUT ROWID;
      CREATE TABLE metrics__hist (kind TEXT NOT NULL, start INTEGER NOT NULL, project INTEGER NOT NULL, metric TEXT NOT NULL, bin INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (kind, start, project, metric, bin)) WITHOUT ROWID;
      CREATE TABLE metrics__sample (metric TEXT NOT NULL, project INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL);
      CREATE INDEX metrics__sample_project ON metrics__sample (metric, project, ts);
      CREATE INDEX metrics__sample_time ON metrics__sample (metric, ts);
      CREATE TABLE metrics__heartbeat (project INTEGER NOT NULL, ts INTEGER NOT NULL, branch INTEGER, issue INTEGER, PRIMARY KEY (project, ts)) WITHOUT ROWID;
      CREATE TABLE metrics__active_by (project INTEGER NOT NULL, dim TEXT NOT NULL, start INTEGER NOT NULL, label INTEGER NOT NULL, ms REAL NOT NULL,
        PRIMARY KEY (project, dim, start, label)) WITHOUT ROWID;
      CREATE INDEX metrics__active_by_time ON metrics__active_by (dim, start);
      CREATE TABLE metrics__branch (project INTEGER NOT NULL, label INTEGER NOT NULL, first_ts INTEGER NOT NULL, PRIMARY KEY (project, label)) WITHOUT ROWID;
      CREATE TABLE metrics__commit (hash TEXT PRIMARY KEY, project INTEGER, ts INTEGER, event_id TEXT, counted INTEGER NOT NULL, ai INTEGER NOT NULL,
        added INTEGER NOT NULL DEFAULT 0, merge INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      CREATE TABLE metrics__ai_lines (project INTEGER NOT NULL, path TEXT NOT NULL, ts INTEGER NOT NULL, hash TEXT NOT NULL, remaining INTEGER NOT NULL,
        PRIMARY KEY (project, path, ts, hash)) WITHOUT ROWID;
      CREATE TABLE metrics__ai_session (key TEXT PRIMARY KEY, active_ms REAL NOT NULL, tokens REAL NOT NULL) WITHOUT ROWID;
      CREATE TABLE metrics__test_run (project INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL, ok INTEGER NOT NULL, PRIMARY KEY (project, ts, seq)) WITHOUT ROWID;
      CREATE INDEX metrics__test_run_ok ON metrics__test_run (project, ok, ts);
      CREATE TABLE metrics__test_state (project INTEGER NOT NULL, name TEXT NOT NULL, failing INTEGER NOT NULL, PRIMARY KEY (project, name)) WITHOUT ROWID;
      CREATE INDEX metrics__test_state_failing ON metrics__test_state (project, failing);
      CREATE TABLE metrics__flip (project INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (project, ts, seq, name)) WITHOUT ROWID;
      CREATE INDEX metrics__flip_time ON metrics__flip (ts);
      CREATE TABLE metrics__coverage (project INTEGER NOT NULL, ts INTEGER NOT NULL, pct REAL NOT NULL, PRIMARY KEY (project, ts)) WITHOUT ROWID;
      CREATE TABLE metrics__change (project INTEGER NOT NULL, hash TEXT NOT NULL, ts INTEGER NOT NULL, first_ts INTEGER NOT NULL, branch INTEGER,
        state INTEGER NOT NULL, deployed_at INTEGER, PRIMARY KEY (project, hash)) WITHOUT ROWID;
      CREATE INDEX metrics__change_pending ON metrics__change (project, state, ts);
      CREATE TABLE metrics__deploy (id INTEGER PRIMARY KEY, project INTEGER NOT NULL, ts INTEGER NOT NULL, ok INTEGER NOT NULL, failed INTEGER NOT NULL,
        signal_ts INTEGER, restored_at INTEGER);
      CREATE INDEX metrics__deploy_time ON metrics__deploy (project, ts);
      CREATE TABLE metrics__marker (project INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (project, ts, seq)) WITHOUT ROWID;
    `;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'rollups, heartbeats, commits, tests, deploys',
    up: V1_UP,
    down: (db: SqlDatabase) => {
      for (const t of [...V1_TABLES].reverse()) db.exec(`DROP TABLE IF EXISTS ${t}`);
    },
  },
  {
    version: 2,
    name: 'rows clustered by time: one row per bucket and project, histogram blobs, sessions instead of heartbeats',
    // Tables written by every batch are keyed time first (or by a few insertion points), so a batch
    // dirties a few pages at their ends instead of one page per event. The projection version changes
    // with this schema, so the kernel refolds the log into the new tables.
    up: `
      DROP TABLE metrics__rollup;
      DROP TABLE metrics__hist;
      DROP TABLE metrics__heartbeat;
      DROP TABLE metrics__sample;
      DROP TABLE metrics__active_by;
      DROP TABLE metrics__test_run;
      DROP TABLE metrics__flip;
      DROP TABLE metrics__coverage;
      DROP TABLE metrics__change;
      ALTER TABLE metrics__project ADD COLUMN ai_pool_ts INTEGER;
      DROP TABLE metrics__commit;
      CREATE TABLE metrics__bucket (kind TEXT NOT NULL, start INTEGER NOT NULL, project INTEGER NOT NULL, ${METRIC_COLUMNS},
        PRIMARY KEY (kind, start, project)) WITHOUT ROWID;
      ${V2_COMMIT}
      CREATE INDEX metrics__ai_lines_time ON metrics__ai_lines (project, ts);
      CREATE TABLE metrics__rework (start INTEGER NOT NULL, project INTEGER NOT NULL, n REAL NOT NULL, PRIMARY KEY (start, project)) WITHOUT ROWID;
      CREATE TABLE metrics__bins (kind TEXT NOT NULL, start INTEGER NOT NULL, metric TEXT NOT NULL, project INTEGER NOT NULL, bins BLOB NOT NULL,
        PRIMARY KEY (kind, start, metric, project)) WITHOUT ROWID;
      CREATE TABLE metrics__session (project INTEGER NOT NULL, start INTEGER NOT NULL, last_ts INTEGER NOT NULL, branch INTEGER, issue INTEGER,
        PRIMARY KEY (project, start)) WITHOUT ROWID;
      CREATE TABLE metrics__sample (metric TEXT NOT NULL, project INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL);
      CREATE INDEX metrics__sample_time ON metrics__sample (metric, ts, project, v);
      CREATE TABLE metrics__active_by (dim TEXT NOT NULL, start INTEGER NOT NULL, project INTEGER NOT NULL, label INTEGER NOT NULL, ms REAL NOT NULL,
        PRIMARY KEY (dim, start, project, label)) WITHOUT ROWID;
      CREATE TABLE metrics__run (ts INTEGER NOT NULL, seq INTEGER NOT NULL, project INTEGER NOT NULL, kind INTEGER NOT NULL, ok INTEGER, ms REAL, cov REAL,
        PRIMARY KEY (ts, seq)) WITHOUT ROWID;
      CREATE TABLE metrics__flip (ts INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, project INTEGER NOT NULL, PRIMARY KEY (ts, seq, name)) WITHOUT ROWID;
      ${V2_CHANGE}
    `,
    // Everything is derived from the log: back to version 1's empty tables (the projection refolds).
    down: (db: SqlDatabase) => {
      for (const t of [...TABLES].reverse()) db.exec(`DROP TABLE IF EXISTS ${t}`);
      db.exec(V1_UP);
    },
  },
  {
    version: 3,
    name: 'smaller commit and change rows: hashes as bytes, commits by event seq, pending changes apart and by project',
    // A batch's commits land on random pages of their day, and a deploy used to rewrite its changes
    // where they were stored, so bytes per row and rows per page are the write cost here. `hash` has
    // no type affinity: a key (see `hashKey` in commits.ts) is a blob or a text and stays so.
    up: `
      DROP TABLE metrics__commit;
      DROP TABLE metrics__change;
      CREATE TABLE metrics__commit (day INTEGER NOT NULL, hash BLOB NOT NULL, project INTEGER, ts INTEGER, seq INTEGER, counted INTEGER NOT NULL, ai INTEGER NOT NULL,
        added INTEGER NOT NULL DEFAULT 0, merge INTEGER NOT NULL DEFAULT 0, squash_project INTEGER, squash_ts INTEGER, PRIMARY KEY (day, hash)) WITHOUT ROWID;
      CREATE TABLE metrics__change (ts INTEGER NOT NULL, hash BLOB NOT NULL, project INTEGER NOT NULL, PRIMARY KEY (ts, hash, project)) WITHOUT ROWID;
      CREATE TABLE metrics__pending (project INTEGER NOT NULL, ts INTEGER NOT NULL, hash BLOB NOT NULL, first_ts INTEGER NOT NULL, branch INTEGER,
        PRIMARY KEY (project, ts, hash)) WITHOUT ROWID;
    `,
    // Derived tables: back to version 2's, empty (the projection refolds).
    down: `
      DROP TABLE metrics__pending;
      DROP TABLE metrics__change;
      DROP TABLE metrics__commit;
      ${V2_COMMIT}
      ${V2_CHANGE}
    `,
  },
];

/** Empty every table (before a rebuild). */
export function resetTables(db: SqlDatabase): void {
  for (const t of TABLES) db.exec(`DELETE FROM ${t}`);
}
