import type Database from 'better-sqlite3';
import { messageOf } from '../errors.js';
import { EVENTS_COLUMNS } from '../storage/kernel-schema.js';
import { OpsError } from './ops-error.js';

type Db = Database.Database;

/** Events per transaction: short enough that live writers never wait long. */
export const ARCHIVE_CHUNK = 5000;

/** The archive's events table: the kernel's events schema, in the attached `archive` database. */
const ARCHIVE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS archive.events (${EVENTS_COLUMNS});
  CREATE INDEX IF NOT EXISTS archive.events_ts ON events (ts);
  CREATE INDEX IF NOT EXISTS archive.events_type_ts ON events (type, ts);`;

export interface ArchiveCounts {
  /** Moved to the archive by this run. */
  moved: number;
  /** Older than the cutoff but kept: a sync outbox row of theirs is not synced yet. */
  keptUnsynced: number;
  /** Older than the cutoff but kept: a projection has not folded them yet. */
  keptUnfolded: number;
  /** The projection furthest behind, when it holds events back. */
  heldBy: string | null;
}

/**
 * Moves events older than a cutoff from the log into an archive database of the same schema,
 * chunk by chunk, each chunk one transaction: copy (idempotent by event id), drop the chunk's
 * synced outbox rows, delete from the log only what the archive now holds. Never an event whose
 * outbox row is unsynced, nor one a projection has not folded yet (rollups stay complete).
 */
export class Archiver {
  private readonly chunkStmt: Database.Statement;
  private readonly moveChunk: Database.Transaction<() => number>;
  private readonly limitSeq: number;
  readonly heldBy: string | null;
  moved = 0;

  constructor(
    private readonly db: Db,
    archivePath: string,
    private readonly cutoffTs: number,
    chunk = ARCHIVE_CHUNK,
  ) {
    try {
      db.prepare('ATTACH DATABASE ? AS archive').run(archivePath);
    } catch (e) {
      throw new OpsError(`cannot open the archive database ${archivePath}: ${messageOf(e)}`, 'check storage.retention.archivePath and that its directory is writable');
    }
    try {
      const cols = (db.prepare("SELECT name FROM archive.pragma_table_info('events')").all() as { name: string }[]).map((c) => c.name);
      if (cols.length && !['seq', 'id', 'ts', 'data'].every((c) => cols.includes(c))) {
        throw new OpsError(`${archivePath} has an events table that is not DevFlow's; nothing was archived`, 'point storage.retention.archivePath at a new file');
      }
      db.exec(ARCHIVE_SCHEMA);
      const cursors = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projections'").get()
        ? (db.prepare('SELECT plugin, name, cursor FROM projections ORDER BY cursor LIMIT 1').get() as { plugin: string; name: string; cursor: number } | undefined)
        : undefined;
      this.limitSeq = cursors ? cursors.cursor : Number.MAX_SAFE_INTEGER;
      this.heldBy = cursors ? `${cursors.plugin}/${cursors.name} (folded up to seq ${cursors.cursor})` : null;
      db.exec('CREATE TEMP TABLE IF NOT EXISTS ops_archive_chunk (seq INTEGER PRIMARY KEY)');
    } catch (e) {
      this.close();
      throw e;
    }
    this.chunkStmt = db.prepare(
      `INSERT INTO temp.ops_archive_chunk (seq)
       SELECT e.seq FROM main.events e
       WHERE e.ts < ? AND e.seq <= ?
         AND NOT EXISTS (SELECT 1 FROM main.outbox o WHERE o.event_seq = e.seq AND o.synced_at IS NULL)
       ORDER BY e.seq LIMIT ?`,
    );
    const clear = db.prepare('DELETE FROM temp.ops_archive_chunk');
    // Same seq when free; an archive that already holds that seq for another event (a database
    // restored from an older backup reuses seqs) gets the event under a new seq: ids are the identity.
    const copy = db.prepare(
      `INSERT OR IGNORE INTO archive.events (seq, id, ts, type, source, project, severity, data)
       SELECT e.seq, e.id, e.ts, e.type, e.source, e.project, e.severity, e.data FROM main.events e
       WHERE e.seq IN (SELECT seq FROM temp.ops_archive_chunk)`,
    );
    const copyRest = db.prepare(
      `INSERT INTO archive.events (id, ts, type, source, project, severity, data)
       SELECT e.id, e.ts, e.type, e.source, e.project, e.severity, e.data FROM main.events e
       WHERE e.seq IN (SELECT seq FROM temp.ops_archive_chunk) AND NOT EXISTS (SELECT 1 FROM archive.events a WHERE a.id = e.id)`,
    );
    const dropOutbox = db.prepare('DELETE FROM main.outbox WHERE event_seq IN (SELECT seq FROM temp.ops_archive_chunk) AND synced_at IS NOT NULL');
    const remove = db.prepare(
      `DELETE FROM main.events WHERE seq IN (SELECT seq FROM temp.ops_archive_chunk)
         AND EXISTS (SELECT 1 FROM archive.events a WHERE a.id = main.events.id)`,
    );
    this.moveChunk = db.transaction(() => {
      clear.run();
      const picked = this.chunkStmt.run(this.cutoffTs, this.limitSeq, chunk).changes;
      if (!picked) return 0;
      copy.run();
      copyRest.run();
      dropOutbox.run();
      const removed = remove.run().changes;
      clear.run();
      return removed;
    });
  }

  /** Move one chunk; 0 when nothing is left to move. */
  step(): number {
    const n = this.moveChunk.immediate();
    this.moved += n;
    return n;
  }

  /** What stays behind although it is old enough, and why. */
  counts(): ArchiveCounts {
    const unsynced = this.db
      .prepare('SELECT count(*) AS n FROM main.events e WHERE e.ts < ? AND EXISTS (SELECT 1 FROM main.outbox o WHERE o.event_seq = e.seq AND o.synced_at IS NULL)')
      .get(this.cutoffTs) as { n: number };
    const unfolded = this.db.prepare('SELECT count(*) AS n FROM main.events e WHERE e.ts < ? AND e.seq > ?').get(this.cutoffTs, this.limitSeq) as { n: number };
    return { moved: this.moved, keptUnsynced: unsynced.n, keptUnfolded: unfolded.n, heldBy: unfolded.n ? this.heldBy : null };
  }

  close(): void {
    try {
      this.db.exec('DROP TABLE IF EXISTS temp.ops_archive_chunk');
    } catch {
      // the connection may already be closing
    }
    try {
      this.db.exec('DETACH DATABASE archive');
    } catch {
      // not attached
    }
  }
}

/** Move everything old enough in one go (the CLI); the kernel's scheduler steps with pauses. */
export function archiveEvents(db: Db, archivePath: string, cutoffTs: number, chunk = ARCHIVE_CHUNK): ArchiveCounts {
  const a = new Archiver(db, archivePath, cutoffTs, chunk);
  try {
    while (a.step() > 0);
    return a.counts();
  } finally {
    a.close();
  }
}
