import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { KnownFile, KnownFiles } from './content-cache.js';

const HOUR_MS = 3_600_000;

/**
 * {@link KnownFiles} of one project in the plugin's `files` table. Writes are buffered and
 * committed in one transaction at the end of the turn (a bulk change re-reads thousands of files);
 * reads see the buffer first.
 */
export class SqliteKnownFiles implements KnownFiles {
  private readonly buffer = new Map<string, { file: KnownFile; ts: number } | null>();
  private flushQueued = false;
  private readonly getOne: SqlStatement;
  private readonly underMany: SqlStatement;
  private readonly upsert: SqlStatement;
  private readonly remove: SqlStatement;
  private readonly commit: () => void;

  constructor(db: SqlDatabase, table: string, private readonly project: string, private readonly onError: (e: unknown) => void) {
    this.getOne = db.prepare(`SELECT size, content_key AS key, lines FROM ${table} WHERE project = ? AND path = ?`);
    this.underMany = db.prepare(`SELECT path FROM ${table} WHERE project = ? AND path > ? AND path < ? ORDER BY path LIMIT ?`);
    this.upsert = db.prepare(
      `INSERT INTO ${table} (project, path, size, content_key, lines, updated) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, path) DO UPDATE SET size = excluded.size, content_key = excluded.content_key, lines = excluded.lines, updated = excluded.updated`,
    );
    this.remove = db.prepare(`DELETE FROM ${table} WHERE project = ? AND path = ?`);
    this.commit = db.transaction(() => {
      for (const [path, v] of this.buffer) {
        if (v) this.upsert.run(this.project, path, v.file.size, v.file.key, v.file.lines, v.ts);
        else this.remove.run(this.project, path);
      }
    });
  }

  get(path: string): KnownFile | undefined {
    const b = this.buffer.get(path);
    if (b !== undefined) return b?.file;
    return (this.getOne.get(this.project, path) as KnownFile | undefined) ?? undefined;
  }

  set(path: string, file: KnownFile, ts: number): void {
    this.buffer.set(path, { file, ts });
    this.queue();
  }

  delete(path: string): void {
    this.buffer.set(path, null);
    this.queue();
  }

  under(dir: string, limit: number): string[] {
    const lo = `${dir}/`;
    const hi = `${dir}0`; // '0' sorts right after '/'
    const out = new Set((this.underMany.all(this.project, lo, hi, limit) as { path: string }[]).map((r) => r.path));
    for (const [p, v] of this.buffer) {
      if (!p.startsWith(lo)) continue;
      if (v) out.add(p);
      else out.delete(p);
    }
    return [...out].slice(0, limit);
  }

  /** Commit buffered writes now. */
  flush(): void {
    if (this.buffer.size === 0) return;
    try {
      this.commit();
    } catch (e) {
      this.onError(e);
    }
    this.buffer.clear();
  }

  private queue(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }
}

/** One file's share of an event, for the hotspot rollup. */
export interface HotspotEntry {
  path: string;
  ts: number;
  /** Changes from single-file events (repeated saves counted). */
  changes: number;
  /** Changes that came as part of a bulk event. */
  bulk: number;
  linesAdded: number;
  linesRemoved: number;
}

export interface Hotspot {
  project: string;
  path: string;
  changes: number;
  bulkChanges: number;
  linesAdded: number;
  linesRemoved: number;
  lastChanged: string;
}

/**
 * Changes per file and hour (`hotspots` table), written once the events are committed, so the
 * most-changed files of any window are one indexed range scan away. Writes are batched per turn.
 */
export class HotspotRollup {
  private buffer: { project: string; e: HotspotEntry }[] = [];
  private flushQueued = false;
  private readonly commit: (rows: { project: string; e: HotspotEntry }[]) => void;
  private readonly prune: SqlStatement;
  private readonly pruneFiles: SqlStatement;

  constructor(private readonly db: SqlDatabase, private readonly prefix: string, private readonly onError: (e: unknown) => void) {
    const upsert = db.prepare(
      `INSERT INTO ${prefix}hotspots (project, path, hour, changes, bulk, lines_added, lines_removed, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, path, hour) DO UPDATE SET changes = changes + excluded.changes, bulk = bulk + excluded.bulk,
         lines_added = lines_added + excluded.lines_added, lines_removed = lines_removed + excluded.lines_removed,
         last_ts = max(last_ts, excluded.last_ts)`,
    );
    this.commit = db.transaction((rows: { project: string; e: HotspotEntry }[]) => {
      for (const { project, e } of rows) upsert.run(project, e.path, Math.floor(e.ts / HOUR_MS), e.changes, e.bulk, e.linesAdded, e.linesRemoved, e.ts);
    });
    this.prune = db.prepare(`DELETE FROM ${prefix}hotspots WHERE hour < ?`);
    this.pruneFiles = db.prepare(`DELETE FROM ${prefix}files WHERE updated < ?`);
  }

  record(project: string, entries: readonly HotspotEntry[]): void {
    for (const e of entries) this.buffer.push({ project, e });
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  flush(): void {
    if (!this.buffer.length) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      this.commit(rows);
    } catch (e) {
      this.onError(e);
    }
  }

  /** The most-changed files since `since` (hour granularity), most changed first. */
  top(since: number, project: string | undefined, limit: number): Hotspot[] {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT project, path, sum(changes) AS changes, sum(bulk) AS bulkChanges, sum(lines_added) AS linesAdded,
                sum(lines_removed) AS linesRemoved, max(last_ts) AS lastTs
         FROM ${this.prefix}hotspots WHERE hour >= ? ${project !== undefined ? 'AND project = ?' : ''}
         GROUP BY project, path
         ORDER BY changes DESC, linesAdded + linesRemoved DESC, bulkChanges DESC, lastTs DESC, path LIMIT ?`,
      )
      .all(...[Math.floor(since / HOUR_MS), ...(project !== undefined ? [project] : []), limit]) as (Omit<Hotspot, 'lastChanged'> & { lastTs: number })[];
    return rows.map(({ lastTs, ...r }) => ({ ...r, lastChanged: new Date(lastTs).toISOString() }));
  }

  /** Forget hours and files older than `before` (ms). */
  pruneBefore(before: number): { hours: number; files: number } {
    this.flush();
    return { hours: this.prune.run(Math.floor(before / HOUR_MS)).changes, files: this.pruneFiles.run(before).changes };
  }
}
