// Every statement the fold runs, prepared once. Plain module: it knows only the SQL interface of the sdk.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { PROJECT_COLUMNS, TASK_COLUMNS } from './rows.js';

const T = 'task_timeline__';

/** `INSERT … ON CONFLICT (key) DO UPDATE SET` every other column: how a batch writes a row back. */
function put(table: string, cols: readonly string[], key: readonly string[]): string {
  const set = cols.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${T}${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}`;
}

export function statements(db: SqlDatabase) {
  const p = (sql: string): SqlStatement => db.prepare(sql);
  return {
    task: p(`SELECT * FROM ${T}tasks WHERE project = ? AND task = ?`),
    putTask: p(put('tasks', TASK_COLUMNS, ['project', 'task'])),
    project: p(`SELECT * FROM ${T}projects WHERE project = ?`),
    putProject: p(put('projects', PROJECT_COLUMNS, ['project'])),
    maxId: p(`SELECT coalesce(max(id), 0) AS id FROM ${T}entries`),
    insert: p(`INSERT INTO ${T}entries (id, project, task, ts, end_ts, kind, ref, tag, ok, summary, event_id, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    update: p(`UPDATE ${T}entries SET ts = ?, end_ts = ?, summary = ?, facts = ?, ok = coalesce(?, ok) WHERE id = ?`),
    putEntry: p(`UPDATE ${T}entries SET ts = ?, end_ts = ?, summary = ?, facts = ? WHERE id = ?`),
    burst: p(`SELECT ts, end_ts, facts FROM ${T}entries WHERE id = ?`),
    hasRef: p(`SELECT 1 FROM ${T}entries WHERE kind = ? AND ref = ? LIMIT 1`),
    hasRefIn: p(`SELECT 1 FROM ${T}entries WHERE kind = ? AND ref = ? AND project = ? LIMIT 1`),
    sessionByRef: p(`SELECT id, project, task, ts, end_ts FROM ${T}entries WHERE kind = 'ai-session' AND ref = ? ORDER BY id LIMIT 1`),
    byRef: p(`SELECT * FROM ${T}entries WHERE kind = @kind AND ref = @ref AND (@project IS NULL OR project = @project) ORDER BY id LIMIT 1`),
    prevCommit: p(`SELECT ts, facts FROM ${T}entries WHERE project = ? AND task = ? AND kind = 'commit' AND ts < ? ORDER BY ts DESC LIMIT 1`),
    nextCommit: p(`SELECT * FROM ${T}entries WHERE project = ? AND task = ? AND kind = 'commit' AND ts > ? ORDER BY ts LIMIT 1`),
    redRuns: p(`SELECT count(*) AS n FROM ${T}entries WHERE project = ? AND task = ? AND kind = 'test' AND ok = 0 AND ts > ? AND ts <= ?`),
    sessions: p(`SELECT tag, facts FROM ${T}entries WHERE project = @project AND task = @task AND kind = 'ai-session' AND ts > @after - 86400000 AND ts <= @upTo AND end_ts > @after`),
    head: p(`SELECT ts, branch FROM ${T}checkouts WHERE project = ? ORDER BY ts DESC LIMIT 1`),
    branchAt: p(`SELECT branch FROM ${T}checkouts WHERE project = ? AND ts <= ? ORDER BY ts DESC LIMIT 1`),
    anyBefore: p(`SELECT 1 FROM ${T}checkouts WHERE project = ? AND ts < ? LIMIT 1`),
    checkout: p(`INSERT INTO ${T}checkouts (project, ts, branch) VALUES (?, ?, ?) ON CONFLICT (project, ts) DO UPDATE SET branch = excluded.branch`),
    burstFile: p(`INSERT OR IGNORE INTO ${T}burst_files (entry_id, path) VALUES (?, ?)`),
    clearBurst: p(`DELETE FROM ${T}burst_files WHERE entry_id = ?`),
    // Many rows in one statement: a JSON array of [project, hour, path, n] / [entry id, path].
    fileHours: p(`INSERT INTO ${T}file_hours (project, hour, path, n) SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each(?) j WHERE true
      ON CONFLICT (project, hour, path) DO UPDATE SET n = n + excluded.n`),
    burstFiles: p(`INSERT OR IGNORE INTO ${T}burst_files (entry_id, path) SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?) j`),
    pruneFiles: p(`DELETE FROM ${T}file_hours WHERE hour < (SELECT p.last_edit_ts / 3600000 - 96 FROM ${T}projects p WHERE p.project = ${T}file_hours.project)`),
    attribution: p(`INSERT INTO ${T}attributions (hash, project, confidence, tools) VALUES (?, ?, ?, ?) ON CONFLICT (hash, project) DO UPDATE SET confidence = excluded.confidence, tools = excluded.tools`),
    getAttribution: p(`SELECT confidence FROM ${T}attributions WHERE hash = ? AND (project = ? OR project = '') ORDER BY project DESC LIMIT 1`),
    openB: p(`INSERT INTO ${T}bottlenecks (project, key, title, severity, opened_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, key) DO UPDATE SET title = excluded.title, severity = excluded.severity, opened_at = excluded.opened_at`),
    resolveB: p(`DELETE FROM ${T}bottlenecks WHERE project = ? AND key = ?`),
    ship: p(`INSERT INTO ${T}shipping (project, task, into_branch, merged_ts) VALUES (?, ?, ?, ?) ON CONFLICT (project, task) DO UPDATE SET into_branch = excluded.into_branch, merged_ts = excluded.merged_ts`),
    due: p(`SELECT task FROM ${T}shipping WHERE project = @project AND merged_ts <= @ts AND (@branch IS NULL OR into_branch IS NULL OR into_branch = @branch) ORDER BY merged_ts, task LIMIT 50`),
    shipped: p(`DELETE FROM ${T}shipping WHERE project = ? AND task = ?`),
    taskProject: p(`SELECT project FROM ${T}tasks WHERE task = ? AND project <> '' ORDER BY last_ts DESC LIMIT 1`),
  };
}
