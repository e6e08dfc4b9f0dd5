import type { DevflowEvent, StoredEvent } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';
import { PluginError, messageOf } from '../errors.js';

type Db = Database.Database;

export interface EventLogOptions {
  /** Flush as soon as this many events wait (default 500). */
  batchSize?: number;
  /** Otherwise flush this long after the first waiting event (default 5 ms). */
  flushMs?: number;
  /** Called inside each batch's transaction after the rows are in (folds projections). */
  inTransaction?: (events: readonly StoredEvent[]) => void;
  /** Called after each committed batch (runs the eventStored hook). */
  onCommitted?: (events: readonly StoredEvent[]) => void;
  /** Called when a flush fails; the batch stays queued and is retried. */
  onError?: (error: PluginError, pending: number) => void;
  /** Decides which events also go into the sync outbox (none until a sync plugin sets it). */
  outboxFilter?: ((event: DevflowEvent) => boolean) | null;
}

interface Pending {
  event: DevflowEvent;
  json: string;
  resolve: (stored: StoredEvent) => void;
}

const MAX_RETRY_MS = 30_000;

/**
 * The append side of the event log. Events queue in memory and are written in one transaction
 * per batch; each `append` promise resolves once its batch committed, which is when it is durable
 * (WAL with synchronous=NORMAL survives a process crash). A failed flush keeps the batch and
 * retries with backoff: nothing acknowledged is ever dropped.
 */
export class EventWriter {
  private queue: Pending[] = [];
  private timer: { cancel(): void } | undefined;
  private retryMs = 0;
  private readonly insert: Database.Statement;
  private readonly insertOutbox: Database.Statement;
  private readonly writeBatch: (batch: Pending[]) => StoredEvent[];
  private readonly batchSize: number;
  private readonly flushMs: number;
  outboxFilter: ((event: DevflowEvent) => boolean) | null;
  /** Totals for status and metrics. */
  readonly stats = { appended: 0, committed: 0, batches: 0, failures: 0 };

  constructor(
    db: Db,
    private readonly options: EventLogOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 2000;
    this.flushMs = options.flushMs ?? 0;
    this.outboxFilter = options.outboxFilter ?? null;
    this.insert = db.prepare('INSERT INTO events (id, ts, type, source, project, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertOutbox = db.prepare('INSERT INTO outbox (event_seq) VALUES (?)');
    this.writeBatch = db.transaction((batch: Pending[]) => {
      const stored: StoredEvent[] = [];
      for (const { event: e, json } of batch) {
        const seq = Number(this.insert.run(e.id, e.ts, e.type, e.source, e.project, e.severity, json).lastInsertRowid);
        if (this.outboxFilter?.(e)) this.insertOutbox.run(seq);
        stored.push({ ...e, seq });
      }
      this.options.inTransaction?.(stored);
      return stored;
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Queue an event; `json` is its data already serialized (the ingest path checked it). */
  append(event: DevflowEvent, json: string = JSON.stringify(event.data)): Promise<StoredEvent> {
    this.stats.appended++;
    return new Promise<StoredEvent>((resolve) => {
      this.queue.push({ event, json, resolve });
      if (this.queue.length >= this.batchSize && this.retryMs === 0) this.flush();
      else this.schedule(this.retryMs || this.flushMs);
    });
  }

  /** Flush later: after `ms`, or with 0 at the end of this turn of the event loop (group commit). */
  private schedule(ms: number): void {
    if (this.timer) return;
    const run = () => {
      this.timer = undefined;
      this.flush();
    };
    const handle = ms > 0 ? setTimeout(run, ms) : setImmediate(run);
    this.timer = { cancel: () => (ms > 0 ? clearTimeout(handle as NodeJS.Timeout) : clearImmediate(handle as NodeJS.Immediate)) };
  }

  /** Write everything queued now. Returns false if the database refused (the queue is kept). */
  flush(): boolean {
    this.timer?.cancel();
    this.timer = undefined;
    while (this.queue.length) {
      const batch = this.queue.slice(0, this.batchSize);
      let stored: StoredEvent[];
      try {
        stored = this.writeBatch(batch);
      } catch (e) {
        this.stats.failures++;
        this.retryMs = Math.min(MAX_RETRY_MS, Math.max(100, this.retryMs * 2));
        const err = new PluginError('KRN_ERR_STORAGE', {
          phase: 'storage',
          cause: e,
          detail: `could not append ${batch.length} event(s) to the log: ${messageOf(e)}; keeping ${this.queue.length} queued, retrying in ${this.retryMs} ms`,
        });
        this.options.onError?.(err, this.queue.length);
        this.schedule(this.retryMs);
        return false;
      }
      this.retryMs = 0;
      this.queue.splice(0, batch.length);
      this.stats.committed += stored.length;
      this.stats.batches++;
      for (let i = 0; i < batch.length; i++) (batch[i] as Pending).resolve(stored[i] as StoredEvent);
      this.options.onCommitted?.(stored);
    }
    return true;
  }

  /** Flush and stop the timer. Returns the events that could not be written, if any. */
  close(): DevflowEvent[] {
    this.flush();
    this.timer?.cancel();
    this.timer = undefined;
    return this.queue.map((p) => p.event);
  }
}
