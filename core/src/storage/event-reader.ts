import type { EventLogReader, EventPage, EventQuery, Severity, StoredEvent } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';

type Db = Database.Database;

/** A row of the events table as SQLite returns it. */
export interface EventRow {
  seq: number;
  id: string;
  ts: number;
  type: string;
  source: string;
  project: string | null;
  severity: string;
  data: string;
}

export const MAX_PAGE = 1000;

/** Rows (by seq) a newest-first query walks back through before it asks the indexes instead. */
export const NEWEST_SCAN_ROWS = 4096;

/**
 * The distinct types in [lo, hi), found with one index seek each on events_type_ts (a "skip
 * scan"), so a prefix becomes a list of `type = ?` lookups that can use the index's ts column too.
 */
const typesInRange = (name: string) =>
  `${name}(t) AS (SELECT min(type) FROM events WHERE type >= ? AND type < ? ` +
  `UNION ALL SELECT (SELECT min(type) FROM events WHERE type > ${name}.t AND type < ?) FROM ${name} WHERE ${name}.t IS NOT NULL)`;

export function toEvent(r: EventRow): StoredEvent {
  return { seq: r.seq, id: r.id, ts: r.ts, type: r.type, source: r.source, project: r.project, severity: r.severity as Severity, data: JSON.parse(r.data) };
}

const withJson = (r: EventRow): StoredEvent => ({ ...toEvent(r), dataJson: r.data });

/**
 * WHERE clause for a filter. A type ending in `.*` is a prefix: with `prefixes: 'range'` matched
 * as a plain range of type (cheap to test row by row), with `'index'` as the set of exact types in
 * that range (so `type = ? AND ts >= ?` index seeks answer a prefix with a time window). Both match
 * exactly the same rows.
 */
function where(filter: EventQuery, prefixes: 'range' | 'index' = 'range'): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.types?.length && prefixes === 'index') {
    if (!filter.types.includes('*')) {
      const ctes: string[] = [];
      const selects: string[] = [];
      const cteParams: unknown[] = [];
      const exact: unknown[] = [];
      for (const t of filter.types) {
        if (t.endsWith('.*')) {
          const prefix = t.slice(0, -1);
          const name = `p${ctes.length}`;
          ctes.push(typesInRange(name));
          selects.push(`SELECT t FROM ${name} WHERE t IS NOT NULL`);
          cteParams.push(prefix, prefix.slice(0, -1) + '/', prefix.slice(0, -1) + '/');
        } else {
          selects.push('SELECT ?');
          exact.push(t);
        }
      }
      // parameters in text order: the CTEs first, then the exact types
      parts.push(`type IN (${ctes.length ? `WITH RECURSIVE ${ctes.join(', ')} ` : ''}${selects.join(' UNION ALL ')})`);
      params.push(...cteParams, ...exact);
    }
  } else if (filter.types?.length) {
    const alts: string[] = [];
    for (const t of filter.types) {
      if (t === '*') {
        alts.push('1');
      } else if (t.endsWith('.*')) {
        const prefix = t.slice(0, -1);
        alts.push('(type >= ? AND type < ?)');
        params.push(prefix, prefix.slice(0, -1) + '/');
      } else {
        alts.push('type = ?');
        params.push(t);
      }
    }
    parts.push(`(${alts.join(' OR ')})`);
  }
  if (filter.source !== undefined) (parts.push('source = ?'), params.push(filter.source));
  if (filter.project !== undefined) (parts.push('project = ?'), params.push(filter.project));
  if (filter.since !== undefined) (parts.push('ts >= ?'), params.push(filter.since));
  if (filter.until !== undefined) (parts.push('ts < ?'), params.push(filter.until));
  if (filter.after !== undefined) (parts.push(filter.descending ? 'seq < ?' : 'seq > ?'), params.push(filter.after));
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Read access to the event log, paginated by `seq` and bounded in size. */
export class EventReader implements EventLogReader {
  /** Prepared statements by SQL text (a filter's shape decides the text; the values are bound). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {}

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 64) this.statements.clear();
      this.statements.set(sql, (statement = this.db.prepare(sql)));
    }
    return statement;
  }

  query(filter: EventQuery = {}): EventPage {
    const requested = Math.floor(filter.limit ?? 100);
    // NaN would reach SQLite as a non-integer LIMIT (SQLITE_MISMATCH): use the default instead
    const limit = Number.isNaN(requested) ? 100 : Math.max(1, Math.min(MAX_PAGE, requested));
    const rows = (filter.descending ? this.newest(filter, limit + 1) : undefined) ?? this.select(filter, limit + 1);
    const more = rows.length > limit;
    const events = rows.slice(0, limit).map(filter.withDataJson ? withJson : toEvent);
    return { events, next: more ? (events[events.length - 1] as StoredEvent).seq : null };
  }

  /**
   * The first `n` matches in seq order. The inner query picks the seqs from an index where it can
   * (covering for types and time); only those `n` rows are then read whole.
   */
  private select(filter: EventQuery, n: number): EventRow[] {
    const w = where(filter, 'index');
    const order = filter.descending ? 'DESC' : 'ASC';
    return this.prepare(`SELECT * FROM events WHERE seq IN (SELECT seq FROM events ${w.sql} ORDER BY seq ${order} LIMIT ?) ORDER BY seq ${order}`)
      .all(...w.params, n) as EventRow[];
  }

  /**
   * Newest first, the cheap way for matches that are common: walk back from the newest row (or the
   * cursor) through at most NEWEST_SCAN_ROWS seqs. If `n` matches are there, they are exactly the
   * answer (every match further back has a smaller seq); otherwise undefined, and `select` answers.
   */
  private newest(filter: EventQuery, n: number): EventRow[] | undefined {
    const w = where(filter, 'range');
    // NOT INDEXED: walk the table itself by seq (the planner would pick the type index and sort)
    const rows = this.prepare(`SELECT * FROM events NOT INDEXED ${w.sql ? `${w.sql} AND` : 'WHERE'} seq >= coalesce(?, (SELECT max(seq) FROM events) + 1) - ? ORDER BY seq DESC LIMIT ?`)
      .all(...w.params, filter.after ?? null, NEWEST_SCAN_ROWS, n) as EventRow[];
    return rows.length === n ? rows : undefined;
  }

  count(filter: Omit<EventQuery, 'after' | 'limit' | 'descending'> = {}): number {
    const w = where(filter, 'index');
    return (this.prepare(`SELECT count(*) AS n FROM events ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  get(idOrSeq: string | number): StoredEvent | undefined {
    const sql = typeof idOrSeq === 'number' ? 'SELECT * FROM events WHERE seq = ?' : 'SELECT * FROM events WHERE id = ?';
    const row = this.prepare(sql).get(idOrSeq) as EventRow | undefined;
    return row ? toEvent(row) : undefined;
  }
}
