import type { Migration } from '@devflow/plugin-sdk';

// Every table and index starts with the plugin's prefix `task_timeline__`. Project '' stands for
// events that name no project.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'timeline',
    up: `
CREATE TABLE task_timeline__entries (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL,
  task TEXT NOT NULL,
  ts INTEGER NOT NULL,
  end_ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT,
  tag TEXT,
  ok INTEGER,
  summary TEXT NOT NULL,
  event_id TEXT NOT NULL,
  facts TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX task_timeline__entries_task ON task_timeline__entries (project, task, ts);
CREATE INDEX task_timeline__entries_kind ON task_timeline__entries (project, task, kind, ts);
CREATE INDEX task_timeline__entries_ref ON task_timeline__entries (kind, ref) WHERE ref IS NOT NULL;
CREATE TABLE task_timeline__tasks (
  project TEXT NOT NULL,
  task TEXT NOT NULL,
  branch TEXT,
  issue TEXT,
  first_ts INTEGER NOT NULL,
  last_ts INTEGER NOT NULL,
  active_ms INTEGER NOT NULL DEFAULT 0,
  last_active_ts INTEGER,
  entries INTEGER NOT NULL DEFAULT 0,
  edits INTEGER NOT NULL DEFAULT 0,
  commits INTEGER NOT NULL DEFAULT 0,
  sessions INTEGER NOT NULL DEFAULT 0,
  test_runs INTEGER NOT NULL DEFAULT 0,
  red_runs INTEGER NOT NULL DEFAULT 0,
  last_entry_id INTEGER,
  burst_id INTEGER,
  last_edit_ts INTEGER,
  red_since INTEGER,
  red_streak INTEGER NOT NULL DEFAULT 0,
  failing TEXT,
  last_run_ts INTEGER,
  last_run_ok INTEGER,
  last_commit TEXT,
  last_commit_ts INTEGER,
  last_green_commit TEXT,
  last_green_ts INTEGER,
  merged_ts INTEGER,
  deployed_ts INTEGER,
  PRIMARY KEY (project, task)
);
CREATE INDEX task_timeline__tasks_last ON task_timeline__tasks (last_ts);
CREATE INDEX task_timeline__tasks_project ON task_timeline__tasks (project, last_ts);
CREATE INDEX task_timeline__tasks_key ON task_timeline__tasks (task, last_ts);
CREATE TABLE task_timeline__checkouts (project TEXT NOT NULL, ts INTEGER NOT NULL, branch TEXT NOT NULL, PRIMARY KEY (project, ts)) WITHOUT ROWID;
CREATE TABLE task_timeline__projects (
  project TEXT PRIMARY KEY,
  last_ts INTEGER NOT NULL,
  last_edit_ts INTEGER,
  unattributed INTEGER NOT NULL DEFAULT 0,
  stage TEXT,
  sub_stage TEXT,
  stage_since INTEGER,
  stage_confidence REAL
);
CREATE INDEX task_timeline__projects_last ON task_timeline__projects (last_ts);
CREATE TABLE task_timeline__burst_files (entry_id INTEGER NOT NULL, path TEXT NOT NULL, PRIMARY KEY (entry_id, path)) WITHOUT ROWID;
CREATE TABLE task_timeline__file_hours (project TEXT NOT NULL, hour INTEGER NOT NULL, path TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (project, hour, path)) WITHOUT ROWID;
CREATE TABLE task_timeline__attributions (hash TEXT NOT NULL, project TEXT NOT NULL, confidence REAL NOT NULL, tools TEXT NOT NULL, PRIMARY KEY (hash, project)) WITHOUT ROWID;
CREATE TABLE task_timeline__bottlenecks (project TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL, severity INTEGER NOT NULL, opened_at INTEGER NOT NULL, PRIMARY KEY (project, key)) WITHOUT ROWID;
CREATE TABLE task_timeline__shipping (project TEXT NOT NULL, task TEXT NOT NULL, into_branch TEXT, merged_ts INTEGER NOT NULL, PRIMARY KEY (project, task)) WITHOUT ROWID;
`,
    down: `DROP TABLE task_timeline__entries; DROP TABLE task_timeline__tasks; DROP TABLE task_timeline__checkouts; DROP TABLE task_timeline__projects;
DROP TABLE task_timeline__burst_files; DROP TABLE task_timeline__file_hours; DROP TABLE task_timeline__attributions; DROP TABLE task_timeline__bottlenecks; DROP TABLE task_timeline__shipping;`,
  },
  {
    // Existence checks of a commit, run or session by its ref read the index alone.
    version: 2,
    name: 'ref-index-project',
    up: `DROP INDEX task_timeline__entries_ref;
CREATE INDEX task_timeline__entries_ref ON task_timeline__entries (kind, ref, project) WHERE ref IS NOT NULL;`,
    down: `DROP INDEX task_timeline__entries_ref;
CREATE INDEX task_timeline__entries_ref ON task_timeline__entries (kind, ref) WHERE ref IS NOT NULL;`,
  },
];

export const TABLES = ['entries', 'tasks', 'checkouts', 'projects', 'burst_files', 'file_hours', 'attributions', 'bottlenecks', 'shipping'].map((t) => `task_timeline__${t}`);
