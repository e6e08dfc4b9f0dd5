import type { Migration } from '@devflow/plugin-sdk';

// Every table and index starts with the plugin's prefix: `ai_monitor__`.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'files, sessions, units, processes, commits',
    up: `
      CREATE TABLE ai_monitor__files (
        path TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        ino TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        read_offset INTEGER NOT NULL,
        context TEXT NOT NULL DEFAULT '{}',
        bad_records INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE ai_monitor__sessions (
        session_key TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        session_id TEXT NOT NULL,
        cwd TEXT,
        project_hash TEXT,
        project TEXT,
        branch TEXT,
        models TEXT NOT NULL DEFAULT '{}',
        started_at INTEGER,
        last_at INTEGER,
        active_ms INTEGER NOT NULL DEFAULT 0,
        prompts INTEGER NOT NULL DEFAULT 0,
        tool_calls TEXT NOT NULL DEFAULT '{}',
        tool_calls_total INTEGER NOT NULL DEFAULT 0,
        tokens_in INTEGER NOT NULL DEFAULT 0,
        tokens_out INTEGER NOT NULL DEFAULT 0,
        tokens_cached INTEGER NOT NULL DEFAULT 0,
        transcript_ended INTEGER NOT NULL DEFAULT 0,
        ended_reason TEXT,
        dirty INTEGER NOT NULL DEFAULT 1,
        emitted_at INTEGER,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX ai_monitor__sessions_last_at ON ai_monitor__sessions (last_at);
      CREATE INDEX ai_monitor__sessions_pending ON ai_monitor__sessions (session_key) WHERE ended_reason IS NULL OR dirty = 1;
      CREATE TABLE ai_monitor__units (
        session_key TEXT NOT NULL,
        unit TEXT NOT NULL,
        input INTEGER NOT NULL DEFAULT 0,
        output INTEGER NOT NULL DEFAULT 0,
        cached INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_key, unit)
      ) WITHOUT ROWID;
      CREATE TABLE ai_monitor__processes (
        pid INTEGER NOT NULL,
        tool TEXT NOT NULL,
        start_key TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        PRIMARY KEY (pid, tool)
      );
      CREATE TABLE ai_monitor__commits (
        repo TEXT NOT NULL,
        hash TEXT NOT NULL,
        project TEXT,
        ts INTEGER NOT NULL,
        tools TEXT NOT NULL,
        evidence TEXT NOT NULL,
        confidence REAL NOT NULL,
        PRIMARY KEY (repo, hash)
      );
      CREATE INDEX ai_monitor__commits_ts ON ai_monitor__commits (ts);
    `,
    down: `
      DROP TABLE ai_monitor__commits;
      DROP TABLE ai_monitor__processes;
      DROP TABLE ai_monitor__units;
      DROP TABLE ai_monitor__sessions;
      DROP TABLE ai_monitor__files;
    `,
  },
];
