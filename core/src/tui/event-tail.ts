/**
 * Follows the end of the event log cheaply: each refresh reads only the events appended since the
 * last one (by seq), keeping the newest activity and the newest warn/error events in memory.
 */
import type Database from 'better-sqlite3';
import { toEvent, type EventReader, type EventRow } from '../storage/event-reader.js';
import { summarizeEvent } from './format.js';
import type { EventLine } from './model.js';

/** Events the warn/error search looks back through when it starts (by seq, not by time). */
export const WARN_SCAN = 50_000;
/** More new events than this since the last refresh: start over from the newest instead of reading them all. */
const CATCH_UP_MAX = 5_000;
const KEEP = 100;

const line = (e: { seq: number; ts: number; type: string; project: string | null; severity: string; data: unknown }): EventLine => ({
  seq: e.seq,
  ts: e.ts,
  type: e.type,
  project: e.project,
  severity: e.severity,
  summary: summarizeEvent(e.type, e.data),
});

/** Kernel lifecycle events (every process emits them) are not the developer's activity. */
const isActivity = (type: string) => !type.startsWith('kernel.');
const isProblem = (severity: string) => severity === 'warn' || severity === 'error';

export class EventTail {
  private recent: EventLine[] = [];
  private problems: EventLine[] = [];
  private seen = -1;
  private scanFrom = 0;
  private readonly head: Database.Statement;
  private readonly warnings: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly reader: EventReader,
  ) {
    this.head = db.prepare('SELECT max(seq) AS seq FROM events');
    this.warnings = db.prepare("SELECT * FROM events WHERE seq > ? AND severity IN ('warn', 'error') ORDER BY seq DESC LIMIT ?");
  }

  /** The log's highest seq (0 when empty). */
  headSeq(): number {
    return (this.head.get() as { seq: number | null }).seq ?? 0;
  }

  /** Bring the lists up to `head` (from headSeq()). */
  update(head: number): void {
    if (this.seen < 0 || head < this.seen || head - this.seen > CATCH_UP_MAX) return this.reseed(head);
    let after = this.seen;
    while (after < head) {
      const page = this.reader.query({ after, limit: 1000 });
      if (!page.events.length) break;
      for (const e of page.events) {
        if (isActivity(e.type)) this.recent.unshift(line(e));
        if (isProblem(e.severity)) this.problems.unshift(line(e));
        after = e.seq;
      }
    }
    this.seen = Math.max(after, head);
    this.recent.length = Math.min(this.recent.length, KEEP);
    this.problems.length = Math.min(this.problems.length, KEEP);
  }

  private reseed(head: number): void {
    this.recent = this.reader
      .query({ descending: true, limit: 500 })
      .events.filter((e) => isActivity(e.type))
      .slice(0, KEEP)
      .map(line);
    this.scanFrom = Math.max(0, head - WARN_SCAN);
    this.problems = (this.warnings.all(this.scanFrom, KEEP) as EventRow[]).map((r) => line(toEvent(r)));
    this.seen = head;
  }

  /** Newest first. */
  activity(): readonly EventLine[] {
    return this.recent;
  }

  /** Newest first, with how many events (by seq) were searched. */
  warningsAndErrors(): { events: readonly EventLine[]; scanned: number } {
    return { events: this.problems, scanned: Math.max(0, this.seen - this.scanFrom) };
  }
}
