import type { Disposable } from './lifecycle.js';

/**
 * Severity of an event in the log.
 *
 * @example
 * ```ts
 * const s: Severity = 'warn';
 * ```
 */
export type Severity = 'debug' | 'info' | 'warn' | 'error';

/**
 * Typed event payloads, keyed by event type. Plugins add their events by declaration merging,
 * which types `ctx.events.emit` and `ctx.events.on` for everyone who imports the plugin.
 *
 * @example
 * ```ts
 * declare module '@devflow/plugin-sdk' {
 *   interface DevflowEventMap {
 *     'git-monitor.commit.created': { hash: string; subject: string };
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DevflowEventMap {}

/**
 * The payload type of an event type: from {@link DevflowEventMap} when declared there, else
 * `Record<string, unknown>`.
 *
 * @example
 * ```ts
 * type Commit = EventData<'git-monitor.commit.created'>;
 * ```
 */
export type EventData<T extends string> = T extends keyof DevflowEventMap
  ? DevflowEventMap[T]
  : Record<string, unknown>;

/**
 * One event as it stands in the kernel's append-only event log and as listeners receive it.
 *
 * @example
 * ```ts
 * ctx.events.on('git-monitor.*', (e: DevflowEvent) => ctx.logger.info({ id: e.id, type: e.type }));
 * ```
 */
export interface DevflowEvent<T extends string = string> {
  /** Time-ordered unique id (UUIDv7); also the idempotency key when events are synced. */
  readonly id: string;
  /** `<plugin-id>.<noun>.<past-verb>`, e.g. `file-monitor.file.changed`. */
  readonly type: T;
  /** Id of the plugin that emitted it. */
  readonly source: string;
  /** Project (root path or name) the event belongs to, when it belongs to one. */
  readonly project: string | null;
  /** When it happened, in milliseconds since the epoch. */
  readonly ts: number;
  readonly severity: Severity;
  readonly data: EventData<T>;
}

/**
 * An event once the kernel has appended it to the log: `seq` is its local, gap-free-per-process
 * position, usable as a cursor.
 *
 * @example
 * ```ts
 * const stored = await ctx.events.emit('my-plugin.thing.happened', { n: 1 });
 * if (stored) ctx.logger.info({ seq: stored.seq });
 * ```
 */
export interface StoredEvent<T extends string = string> extends DevflowEvent<T> {
  readonly seq: number;
  /**
   * `data` as the JSON text stored in the log, when a query asked for it (`withDataJson`): for a
   * plugin that hands the data on as text or measures it, without serializing it again.
   */
  readonly dataJson?: string;
}

/**
 * Options for {@link PluginEvents.emit}.
 *
 * @example
 * ```ts
 * ctx.events.emit('my-plugin.build.finished', { ok: true }, { project: '/home/me/app', severity: 'info' });
 * ```
 */
export interface EmitOptions {
  project?: string | null;
  severity?: Severity;
  /** When it happened (ms since epoch); defaults to now. */
  ts?: number;
}

/**
 * A listener on the bus. Exceptions (and rejected promises) are logged against the listening
 * plugin and never reach the emitter.
 *
 * @example
 * ```ts
 * const listener: EventListener = (e) => { counts.set(e.type, (counts.get(e.type) ?? 0) + 1); };
 * ```
 */
export type EventListener<T extends string = string> = (event: DevflowEvent<T>) => void | Promise<void>;

/**
 * Filters for reading the event log. All filters combine with AND; results come oldest first
 * (by `seq`), at most `limit` (default 100, at most 1000) per page.
 *
 * @example
 * ```ts
 * const page = ctx.storage.events.query({ types: ['git-monitor.*'], since: Date.now() - 864e5, limit: 50 });
 * ```
 */
export interface EventQuery {
  /** Exact types or prefixes ending in `.*`. */
  types?: readonly string[];
  source?: string;
  project?: string;
  /** Inclusive lower bound on `ts` (ms). */
  since?: number;
  /** Exclusive upper bound on `ts` (ms). */
  until?: number;
  /** Return events with `seq` greater than this (the cursor of the previous page). */
  after?: number;
  limit?: number;
  /** Newest first instead of oldest first. */
  descending?: boolean;
  /** Also return each event's data as its stored JSON text (`dataJson`). */
  withDataJson?: boolean;
}

/**
 * A page of events with the cursor for the next page (`null` when there is none).
 *
 * @example
 * ```ts
 * let page = log.query({ limit: 100 });
 * while (page.next !== null) page = log.query({ after: page.next, limit: 100 });
 * ```
 */
export interface EventPage {
  readonly events: readonly StoredEvent[];
  readonly next: number | null;
}

/**
 * Read access to the kernel's event log. Appending happens only through `ctx.events.emit`.
 *
 * @example
 * ```ts
 * const n = ctx.storage.events.count({ types: ['test-monitor.run.finished'] });
 * ```
 */
export interface EventLogReader {
  query(filter?: EventQuery): EventPage;
  count(filter?: Omit<EventQuery, 'after' | 'limit' | 'descending'>): number;
  /**
   * One stored event by its id, or by its `seq` (a number: the log position, 8 bytes instead of a
   * 36-character id when a plugin keeps a reference to an event in its own tables).
   */
  get(idOrSeq: string | number): StoredEvent | undefined;
}

/**
 * The event bus as one plugin sees it: it emits only in its own namespace (`<plugin-id>.*`) and
 * may listen to anything.
 *
 * @example
 * ```ts
 * ctx.events.on('git-monitor.commit.created', (e) => index.add(e.data));
 * await ctx.events.emit('churn.file.hot', { path: 'src/a.ts' });
 * ```
 */
export interface PluginEvents {
  /**
   * Emit an event. It runs through the `eventBeforeStore` hook (which may redact or drop it), is
   * delivered to listeners, and is appended to the log in a batched transaction. The promise
   * resolves with the stored event once the batch committed (the event is then durable), or with
   * `undefined` if a hook dropped it. It never rejects. It throws synchronously
   * `KRN_ERR_EVENT_NAMESPACE` for a type outside the plugin's namespace, and
   * `KRN_ERR_EVENT_INVALID` when `data` is not a JSON object (or does not serialize) or the
   * severity is unknown.
   */
  emit<T extends string>(type: T, data: EventData<T>, options?: EmitOptions): Promise<StoredEvent<T> | undefined>;
  /**
   * Listen to one type (`a.b.c`), a prefix (`a.*`, `a.b.*`) or everything (`*`). Disposed with the
   * plugin.
   */
  on<T extends string>(pattern: T, listener: EventListener<T>): Disposable;
}
