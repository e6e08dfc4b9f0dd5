// The detector's own tables (prefix bottleneck_detector__): the facts the rules look at, the open
// findings and their history. Everything is a fold of the event log (see engine.ts).
import type { Migration } from '@devflow/plugin-sdk';

export const T = 'bottleneck_detector__';

export const TABLES = ['clock', 'branches', 'red', 'tests', 'daily', 'file_days', 'stages', 'reviews', 'open', 'history'] as const;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'facts, open findings, history',
    up: `
      CREATE TABLE ${T}clock (project TEXT PRIMARY KEY, now INTEGER NOT NULL);
      CREATE TABLE ${T}branches (
        project TEXT NOT NULL, repo TEXT NOT NULL, branch TEXT NOT NULL,
        created_at INTEGER, created_event TEXT, first_commit_at INTEGER, first_event TEXT,
        last_commit_at INTEGER, last_event TEXT, commits INTEGER NOT NULL, lines INTEGER NOT NULL,
        start_at INTEGER, state TEXT NOT NULL,
        PRIMARY KEY (project, repo, branch));
      CREATE INDEX ${T}branches_active ON ${T}branches (project, state, last_commit_at);
      CREATE INDEX ${T}branches_start ON ${T}branches (project, state, start_at);
      CREATE TABLE ${T}red (
        project TEXT NOT NULL, command TEXT NOT NULL, since INTEGER NOT NULL, since_event TEXT NOT NULL,
        last_event TEXT NOT NULL, fails INTEGER NOT NULL, failing TEXT NOT NULL,
        PRIMARY KEY (project, command));
      CREATE TABLE ${T}tests (
        project TEXT NOT NULL, command TEXT NOT NULL, test TEXT NOT NULL, outcomes TEXT NOT NULL, last_event TEXT NOT NULL,
        PRIMARY KEY (project, command, test));
      CREATE TABLE ${T}daily (
        project TEXT NOT NULL, series TEXT NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL,
        sum_ms REAL NOT NULL, max_ms REAL NOT NULL, max_event TEXT, last_event TEXT,
        PRIMARY KEY (project, series, day));
      CREATE TABLE ${T}file_days (
        project TEXT NOT NULL, repo TEXT NOT NULL, path TEXT NOT NULL, day INTEGER NOT NULL,
        commits INTEGER NOT NULL, lines INTEGER NOT NULL, last_event TEXT,
        PRIMARY KEY (project, repo, path, day));
      CREATE INDEX ${T}file_days_day ON ${T}file_days (project, day);
      CREATE TABLE ${T}stages (project TEXT PRIMARY KEY, stage TEXT NOT NULL, since INTEGER NOT NULL, event_id TEXT NOT NULL);
      CREATE TABLE ${T}reviews (
        project TEXT NOT NULL, provider TEXT NOT NULL, number TEXT NOT NULL, title TEXT, branch TEXT,
        requested_at INTEGER, reviewers TEXT NOT NULL, event_id TEXT NOT NULL, state TEXT NOT NULL,
        PRIMARY KEY (project, provider, number));
      CREATE INDEX ${T}reviews_waiting ON ${T}reviews (project, state, requested_at);
      CREATE TABLE ${T}open (
        key TEXT PRIMARY KEY, rule TEXT NOT NULL, project TEXT NOT NULL, subject TEXT NOT NULL, subject_id TEXT NOT NULL,
        severity TEXT NOT NULL, sev_rank INTEGER NOT NULL, title TEXT NOT NULL, evidence TEXT NOT NULL,
        suggestion TEXT NOT NULL, opened_at INTEGER NOT NULL);
      CREATE INDEX ${T}open_project ON ${T}open (project, rule);
      CREATE TABLE ${T}history (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL, rule TEXT NOT NULL, project TEXT NOT NULL, subject TEXT NOT NULL,
        severity TEXT NOT NULL, sev_rank INTEGER NOT NULL, title TEXT NOT NULL, evidence TEXT NOT NULL,
        suggestion TEXT NOT NULL, opened_at INTEGER NOT NULL, resolved_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL);
      CREATE INDEX ${T}history_time ON ${T}history (resolved_at);
      CREATE INDEX ${T}history_project ON ${T}history (project, resolved_at);
      CREATE INDEX ${T}history_key ON ${T}history (key, resolved_at);
    `,
    down: `${TABLES.map((t) => `DROP TABLE ${T}${t};`).join('\n')}`,
  },
  {
    version: 2,
    name: 'clock of the last sweep',
    up: `ALTER TABLE ${T}clock ADD COLUMN swept_at INTEGER;`,
    down: `ALTER TABLE ${T}clock DROP COLUMN swept_at;`,
  },
];
