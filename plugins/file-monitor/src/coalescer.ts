/** What happened to a file, as reported. */
export type ChangeKind = 'created' | 'modified' | 'deleted';

export interface CoalescerOptions {
  /** A path goes out once it had no new notification for this long (ms). */
  settleMs: number;
  /** After a path went out, its further changes within this window fold into one event (ms). */
  coalesceMs: number;
  /** Window for telling a burst from a lone edit (ms). */
  burstWindowMs: number;
  /** Distinct paths changed within `burstWindowMs` from which changes are held back. */
  holdThreshold: number;
  /** Held changes go out once the project had no notification for this long (ms). */
  quietMs: number;
  /** Held changes of at least this many files become one bulk event. */
  bulkThreshold: number;
  /** Held changes, and a bulk, never wait longer than this (ms). */
  maxHoldMs: number;
}

export const DEFAULT_COALESCER_OPTIONS: CoalescerOptions = {
  settleMs: 20,
  coalesceMs: 2000,
  burstWindowMs: 1000,
  holdThreshold: 3,
  quietMs: 300,
  bulkThreshold: 50,
  maxHoldMs: 5000,
};

export interface BulkItem {
  path: string;
  kind: ChangeKind;
  count: number;
}

/**
 * What the coalescer hands out. `count` is the number of notifications folded into it; over all
 * outputs the counts add up to the number of {@link Coalescer.push} calls, exactly.
 */
export type CoalescedOutput =
  | { type: 'change'; path: string; kind: ChangeKind; count: number; firstAt: number; lastAt: number }
  | { type: 'bulk'; items: BulkItem[]; count: number; firstAt: number; lastAt: number }
  /** Created and removed again before it went out (an editor's or a tool's temp file). */
  | { type: 'transient'; path: string; count: number; firstAt: number; lastAt: number };

interface Entry {
  path: string;
  kind: ChangeKind;
  count: number;
  firstAt: number;
  lastAt: number;
}

interface Bulk {
  items: Map<string, BulkItem>;
  count: number;
  firstAt: number;
  lastAt: number;
  startedAt: number;
}

/** Net kind of two notifications in a row; 'transient' when a new file was removed again. */
export function foldKind(prev: ChangeKind | undefined, next: ChangeKind): ChangeKind | 'transient' {
  if (prev === undefined) return next;
  if (prev === 'created') return next === 'deleted' ? 'transient' : 'created';
  if (prev === 'modified') return next === 'deleted' ? 'deleted' : 'modified';
  return next === 'deleted' ? 'deleted' : 'modified'; // deleted, then back: replaced in place
}

/**
 * Turns a stream of per-file notifications of one project into events, as activity trackers do:
 * - a path goes out `settleMs` after its last notification (a lone save is out at once);
 * - repeated saves of a path within `coalesceMs` after it went out become one event with a count;
 * - while several files change together (`holdThreshold` distinct paths within `burstWindowMs`),
 *   changes are held until the project is quiet; `bulkThreshold` or more held files become one
 *   bulk event (a formatter, a checkout), fewer go out one by one;
 * - a file created and removed again before it went out is reported as transient.
 * Pure: time is passed in, nothing is scheduled; call {@link drain} at {@link nextDeadline}.
 */
export class Coalescer {
  private readonly o: CoalescerOptions;
  /** Settling paths, in order of their last notification. */
  private readonly pending = new Map<string, Entry>();
  /** Paths that changed again within their coalescing window. */
  private readonly cooling = new Map<string, Entry>();
  /** Path → end of its coalescing window, in order of emission. */
  private readonly cooldown = new Map<string, number>();
  private readonly held = new Map<string, Entry>();
  private heldSince: number | undefined;
  private bulk: Bulk | undefined;
  private transients: CoalescedOutput[] = [];
  /** Recent notifications for burst detection, and how many each path has in the window. */
  private recent: { path: string; at: number }[] = [];
  private recentHead = 0;
  private readonly recentCounts = new Map<string, number>();
  private lastRawAt = -Infinity;
  private pushed = 0;

  constructor(options: Partial<CoalescerOptions> = {}) {
    this.o = { ...DEFAULT_COALESCER_OPTIONS, ...options };
  }

  /** Notifications received so far. */
  get received(): number {
    return this.pushed;
  }

  /** True while anything is waiting to go out. */
  get busy(): boolean {
    return this.pending.size + this.cooling.size + this.held.size + this.transients.length > 0 || this.bulk !== undefined;
  }

  /** Whether `path` has a change waiting (settling, cooling or held). */
  has(path: string): boolean {
    return this.pending.has(path) || this.cooling.has(path) || this.held.has(path);
  }

  push(path: string, kind: ChangeKind, at: number): void {
    this.pushed++;
    if (at > this.lastRawAt) this.lastRawAt = at;
    this.recent.push({ path, at });
    this.recentCounts.set(path, (this.recentCounts.get(path) ?? 0) + 1);
    const existing = this.pending.get(path) ?? this.cooling.get(path) ?? this.held.get(path);
    if (existing) this.unlink(path);
    const next = foldKind(existing?.kind, kind);
    if (next === 'transient') {
      const e = existing as Entry;
      this.transients.push({ type: 'transient', path, count: e.count + 1, firstAt: e.firstAt, lastAt: at });
      return;
    }
    const e: Entry = existing ?? { path, kind: next, count: 0, firstAt: at, lastAt: at };
    e.kind = next;
    e.count++;
    e.lastAt = at;
    const until = this.cooldown.get(path);
    if (next !== 'deleted' && until !== undefined && until > at) this.cooling.set(path, e);
    else this.pending.set(path, e);
  }

  /** Everything due at `now`. */
  drain(now: number): CoalescedOutput[] {
    this.pruneRecent(now);
    for (const [path, until] of this.cooldown) {
      if (until > now) break;
      this.cooldown.delete(path);
    }
    const out = this.transients;
    this.transients = [];
    const ready: Entry[] = [];
    for (const e of this.pending.values()) {
      if (e.lastAt + this.o.settleMs > now) break;
      ready.push(e);
    }
    for (const e of ready) this.pending.delete(e.path);
    for (const e of this.cooling.values()) {
      if (e.lastAt + this.o.settleMs > now) continue;
      if (this.bulk || (this.cooldown.get(e.path) ?? 0) <= now) ready.push(e);
    }
    for (const e of ready) this.cooling.delete(e.path);

    const burst = this.recentCounts.size >= this.o.holdThreshold;
    for (const e of ready) {
      if (this.bulk) this.addToBulk(e, out);
      else if (burst || this.held.size > 0) {
        this.held.set(e.path, e);
        this.heldSince ??= now;
      } else this.emit(e, now, out);
    }
    if (!this.bulk && this.held.size >= this.o.bulkThreshold) {
      this.bulk = { items: new Map(), count: 0, firstAt: Infinity, lastAt: -Infinity, startedAt: this.heldSince ?? now };
      for (const e of this.held.values()) this.addToBulk(e, out);
      this.held.clear();
      this.heldSince = undefined;
    }
    const quiet = now - this.lastRawAt >= this.o.quietMs;
    if (this.bulk && (quiet || now - this.bulk.startedAt >= this.o.maxHoldMs)) {
      const b = this.bulk;
      this.bulk = undefined;
      if (b.count > 0) out.push({ type: 'bulk', items: [...b.items.values()], count: b.count, firstAt: b.firstAt, lastAt: b.lastAt });
    }
    if (this.held.size > 0 && (quiet || now - (this.heldSince ?? now) >= this.o.maxHoldMs)) {
      for (const e of this.held.values()) this.emit(e, now, out);
      this.held.clear();
      this.heldSince = undefined;
    }
    return out;
  }

  /** When {@link drain} next has something to do (undefined: nothing is waiting). */
  nextDeadline(): number | undefined {
    let t = Infinity;
    if (this.transients.length) return -Infinity;
    const first = this.pending.values().next();
    if (!first.done) t = first.value.lastAt + this.o.settleMs;
    for (const e of this.cooling.values()) {
      const settled = e.lastAt + this.o.settleMs;
      t = Math.min(t, this.bulk ? settled : Math.max(settled, this.cooldown.get(e.path) ?? 0));
    }
    if (this.held.size) t = Math.min(t, this.lastRawAt + this.o.quietMs, (this.heldSince ?? 0) + this.o.maxHoldMs);
    if (this.bulk) t = Math.min(t, this.lastRawAt + this.o.quietMs, this.bulk.startedAt + this.o.maxHoldMs);
    return t === Infinity ? undefined : t;
  }

  private emit(e: Entry, now: number, out: CoalescedOutput[]): void {
    out.push({ type: 'change', path: e.path, kind: e.kind, count: e.count, firstAt: e.firstAt, lastAt: e.lastAt });
    this.cooldown.delete(e.path);
    if (e.kind !== 'deleted') this.cooldown.set(e.path, now + this.o.coalesceMs);
  }

  private addToBulk(e: Entry, out: CoalescedOutput[]): void {
    const b = this.bulk as Bulk;
    const item = b.items.get(e.path);
    if (!item) {
      b.items.set(e.path, { path: e.path, kind: e.kind, count: e.count });
      b.count += e.count;
    } else {
      const next = foldKind(item.kind, e.kind);
      if (next === 'transient') {
        b.items.delete(e.path);
        b.count -= item.count;
        out.push({ type: 'transient', path: e.path, count: item.count + e.count, firstAt: e.firstAt, lastAt: e.lastAt });
        return;
      }
      item.kind = next;
      item.count += e.count;
      b.count += e.count;
    }
    if (e.firstAt < b.firstAt) b.firstAt = e.firstAt;
    if (e.lastAt > b.lastAt) b.lastAt = e.lastAt;
  }

  private unlink(path: string): void {
    this.pending.delete(path);
    this.cooling.delete(path);
    if (this.held.delete(path) && this.held.size === 0) this.heldSince = undefined;
  }

  private pruneRecent(now: number): void {
    const from = now - this.o.burstWindowMs;
    while (this.recentHead < this.recent.length) {
      const r = this.recent[this.recentHead] as { path: string; at: number };
      if (r.at >= from) break;
      this.recentHead++;
      const n = (this.recentCounts.get(r.path) ?? 1) - 1;
      if (n <= 0) this.recentCounts.delete(r.path);
      else this.recentCounts.set(r.path, n);
    }
    if (this.recentHead > 1024 && this.recentHead * 2 > this.recent.length) {
      this.recent = this.recent.slice(this.recentHead);
      this.recentHead = 0;
    }
  }
}

export interface BulkSummary {
  count: number;
  files: number;
  byKind: Record<ChangeKind, number>;
  topDirs: { dir: string; files: number }[];
  sample: { path: string; kind: ChangeKind }[];
}

/**
 * A bounded summary of a bulk: files by kind, the directories (cut to `depth` levels) with the most
 * files, and the first `sampleSize` paths in path order.
 */
export function summarizeBulk(items: readonly BulkItem[], options: { sampleSize?: number; topDirs?: number; depth?: number } = {}): BulkSummary {
  const { sampleSize = 20, topDirs = 5, depth = 2 } = options;
  const byKind: Record<ChangeKind, number> = { created: 0, modified: 0, deleted: 0 };
  const dirs = new Map<string, number>();
  let count = 0;
  for (const it of items) {
    byKind[it.kind]++;
    count += it.count;
    const parts = it.path.split('/');
    const dir = parts.length > 1 ? parts.slice(0, Math.min(depth, parts.length - 1)).join('/') : '.';
    dirs.set(dir, (dirs.get(dir) ?? 0) + 1);
  }
  const sorted = [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    count,
    files: items.length,
    byKind,
    topDirs: [...dirs].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topDirs).map(([dir, files]) => ({ dir, files })),
    sample: sorted.slice(0, sampleSize).map((it) => ({ path: it.path, kind: it.kind })),
  };
}
