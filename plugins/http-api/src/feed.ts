import type { EventLogReader, StoredEvent } from '@devflow/plugin-sdk';

/** Someone who wants live events: a stream client, the metrics. */
export interface Subscriber {
  match(e: StoredEvent): boolean;
  /** `json` is the event as sent on the wire (one serialization shared by all subscribers). */
  send(json: string, e: StoredEvent): void;
}

const PAGE = 1000;
const PAGES_PER_TICK = 20;

/** The wire form of a stored event. */
export function eventJson(e: StoredEvent): string {
  return JSON.stringify({ seq: e.seq, id: e.id, type: e.type, source: e.source, project: e.project, ts: e.ts, severity: e.severity, data: e.data });
}

/**
 * Every event stored in the shared log while the feed runs, each delivered once: events this
 * process stores arrive at once through the `eventStored` tap; events other processes store are
 * found by reading the log after a cursor every `pollMs`. The two meet by seq: the tap records what
 * it delivered ahead of the cursor, and the poll skips those as it passes them. When this process
 * stores everything (the usual case) the cursor just walks over the recorded seqs and the poll
 * reads nothing.
 */
export class Feed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly ahead = new Set<number>();
  private pending: StoredEvent[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  delivered = 0;

  constructor(
    private readonly reader: EventLogReader,
    private readonly onEvent: (e: StoredEvent) => void,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(pollMs: number): void {
    this.cursor = this.reader.query({ descending: true, limit: 1 }).events[0]?.seq ?? 0;
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.flushing) clearImmediate(this.flushing);
    this.timer = this.flushing = undefined;
    this.pending = [];
    this.subscribers.clear();
    this.ahead.clear();
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => void this.subscribers.delete(s);
  }

  get clients(): number {
    return this.subscribers.size;
  }

  /**
   * The eventStored tap: a committed batch of this process. Delivery waits for the next turn of
   * the event loop, so socket writes never run inside the ingest commit.
   */
  stored(events: readonly StoredEvent[]): void {
    if (!this.timer) return;
    for (const e of events) {
      if (e.seq <= this.cursor || this.ahead.has(e.seq)) continue;
      this.ahead.add(e.seq);
      this.pending.push(e);
    }
    if (this.pending.length && !this.flushing) this.flushing = setImmediate(() => this.flush());
  }

  /** Deliver what the tap recorded. */
  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const batch = this.pending;
    this.pending = [];
    for (const e of batch) this.deliver(e);
    if (this.ahead.size > 200_000) this.poll(); // a burst: let the cursor catch up now
  }

  /** Read what other processes stored since the cursor (and move the cursor over our own). */
  poll(): void {
    if (!this.timer) return;
    if (this.pending.length) this.flush();
    try {
      for (let page = 0; page < PAGES_PER_TICK; page++) {
        while (this.ahead.delete(this.cursor + 1)) this.cursor++;
        const { events } = this.reader.query({ after: this.cursor, limit: PAGE });
        for (const e of events) {
          if (!this.ahead.delete(e.seq)) this.deliver(e);
          this.cursor = e.seq;
        }
        if (events.length < PAGE) break;
      }
      for (const s of this.ahead) if (s <= this.cursor) this.ahead.delete(s);
    } catch (e) {
      this.onError(e);
    }
  }

  private deliver(e: StoredEvent): void {
    this.delivered++;
    this.onEvent(e);
    let json: string | undefined;
    for (const s of this.subscribers) {
      if (!s.match(e)) continue;
      json ??= eventJson(e);
      s.send(json, e);
    }
  }
}
