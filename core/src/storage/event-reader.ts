import type { EventLogReader, EventPage, EventQuery, Severity, StoredEvent } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';

type Db = Database.Database;

interface Row {
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

function toEvent(r: Row): StoredEvent {
  return { seq: r.seq, id: r.id, ts: r.ts, type: r.type, source: r.source, project: r.project, severity: r.severity as Severity, data: JSON.parse(r.data) };
}

/** WHERE clause for a filter. A type ending in `.*` is a prefix, matched as an index range. */
function where(filter: EventQuery): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.types?.length) {
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
  constructor(private readonly db: Db) {}

  query(filter: EventQuery = {}): EventPage {
    const requested = Math.floor(filter.limit ?? 100);
    // NaN would reach SQLite as a non-integer LIMIT (SQLITE_MISMATCH): use the default instead
    const limit = Number.isNaN(requested) ? 100 : Math.max(1, Math.min(MAX_PAGE, requested));
    const w = where(filter);
    const rows = this.db
      .prepare(`SELECT * FROM events ${w.sql} ORDER BY seq ${filter.descending ? 'DESC' : 'ASC'} LIMIT ?`)
      .all(...w.params, limit + 1) as Row[];
    const more = rows.length > limit;
    const events = rows.slice(0, limit).map(toEvent);
    return { events, next: more ? (events[events.length - 1] as StoredEvent).seq : null };
  }

  count(filter: Omit<EventQuery, 'after' | 'limit' | 'descending'> = {}): number {
    const w = where(filter);
    return (this.db.prepare(`SELECT count(*) AS n FROM events ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  get(id: string): StoredEvent | undefined {
    const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as Row | undefined;
    return row ? toEvent(row) : undefined;
  }
}
