import { join, relative, sep } from 'node:path';
import type { BackendFactory, BackendName, RawChange, WatchBackendOptions } from './backends.js';
import { Coalescer, DEFAULT_COALESCER_OPTIONS, summarizeBulk, type BulkItem, type ChangeKind, type CoalescedOutput, type CoalescerOptions } from './coalescer.js';
import type { ContentCache, KnownFile, KnownFiles } from './content-cache.js';
import { scanDirectory } from './dir-scan.js';
import { changeLines, problemWarning, renameLines, type BulkChangedData, type FileChangedData, type FileRenamedData } from './file-events.js';
import { inspectFile, type FileFacts, type InspectorFs } from './file-inspector.js';
import type { IgnoreMatcher } from './ignore-matcher.js';
import { extOf, languageOf } from './languages.js';
import { RenamePairer, type MatchedBy, type PendingDelete } from './rename-pairer.js';
import { messageOf, WatchSupervisor, type WatchLogger, type WatchNotice } from './watch-supervisor.js';

export type { BulkChangedData, FileChangedData, FileRenamedData } from './file-events.js';
export type { WatchLogger, WatchNotice } from './watch-supervisor.js';

/** Where a watcher sends what it found; the plugin turns these into events. */
export interface FileEventSink {
  changed(data: FileChangedData, ts: number): void;
  renamed(data: FileRenamedData, ts: number): void;
  bulk(data: BulkChangedData, items: readonly BulkItem[], ts: number): void;
  notice(notice: WatchNotice): void;
}

export interface ProjectWatcherOptions {
  /** Absolute project root. */
  root: string;
  matcher: IgnoreMatcher;
  /** Other project roots inside this one: their files belong to them. */
  nestedRoots?: readonly string[];
  /** 'auto': @parcel/watcher, chokidar when parcel cannot run here. */
  backend: 'auto' | BackendName;
  /** Replace backends (tests inject failures such as the watch limit). */
  factories?: Partial<Record<BackendName, BackendFactory>>;
  coalescer?: Partial<CoalescerOptions>;
  renameWindowMs: number;
  maxTextBytes: number;
  maxHashBytes: number;
  cache: ContentCache;
  known: KnownFiles;
  sink: FileEventSink;
  logger: WatchLogger;
  /** Polling interval once degraded (ms). */
  pollMs: number;
  /** While degraded, try the full watch again this often (ms; 0 = never). */
  retryMs: number;
  sampleSize: number;
  inspectorFs?: InspectorFs;
  now?: () => number;
}

export interface WatchStats {
  backend: BackendName | null;
  degraded: boolean;
  /** Notifications taken in (after ignore rules), and synthesized ones (files of a new or removed directory). */
  received: number;
  synthesized: number;
  ignored: number;
  directories: number;
  transient: number;
  /** Notifications that repeated the event just sent (same content, within the coalescing window): not reported again. */
  duplicate: number;
  changed: number;
  renamed: number;
  bulk: number;
  /** Notifications accounted for by the events above (their counts). */
  accounted: number;
}

interface DeleteInfo {
  count: number;
  lastAt: number;
  known: KnownFile | undefined;
}

const MAX_KNOWN_DIRS = 20_000;
const MAX_ACTIVE_DIRS = 200;
const MAX_WARNED = 5_000;
const MAX_SCAN_FILES = 20_000;
const MAX_EXPAND = 10_000;
const BULK_REFRESH = 2_000;
const INSPECT_CONCURRENCY = 16;
/** Backends split one write into two batches (create, then close-write) up to this far apart. */
const MIN_DUPLICATE_WINDOW_MS = 1000;

/**
 * Watches one project root: backend notifications → ignore rules → {@link Coalescer} → file facts
 * (size, lines, content identity) → {@link RenamePairer} → events through the sink. Never throws
 * out of its callbacks: every problem becomes a logged warning naming the path.
 */
export class ProjectWatcher {
  private readonly counts: WatchStats = { backend: null, degraded: false, received: 0, synthesized: 0, ignored: 0, directories: 0, transient: 0, duplicate: 0, changed: 0, renamed: 0, bulk: 0, accounted: 0 };
  private readonly o: ProjectWatcherOptions;
  private readonly coalescer: Coalescer;
  private readonly pairer: RenamePairer<DeleteInfo>;
  private readonly now: () => number;
  private readonly supervisor: WatchSupervisor;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly knownDirs = new Map<string, true>();
  private readonly activeDirs = new Map<string, true>();
  private readonly warned = new Set<string>();
  private readonly side = new Set<Promise<unknown>>();
  /** Path → when its last event went out (for telling a repeated notification of the same write). */
  private readonly lastSent = new Map<string, number>();

  constructor(options: ProjectWatcherOptions) {
    this.o = options;
    this.coalescer = new Coalescer(options.coalescer);
    this.pairer = new RenamePairer<DeleteInfo>(options.renameWindowMs);
    this.now = options.now ?? Date.now;
    const backendIgnore = options.matcher.backendIgnore();
    this.supervisor = new WatchSupervisor({
      root: options.root,
      backend: options.backend,
      factories: options.factories,
      pollMs: options.pollMs,
      retryMs: options.retryMs,
      logger: options.logger,
      backendOptions: (): WatchBackendOptions => ({
        root: options.root,
        ...(backendIgnore ? { ignore: backendIgnore } : {}),
        isIgnored: (p, isDir) => {
          const rel = this.rel(p);
          return rel !== undefined && (this.isNested(p) || options.matcher.ignores(rel, isDir));
        },
        activeDirs: () => [...this.activeDirs.keys()].reverse().map((d) => join(options.root, d)),
        pollMs: options.pollMs,
      }),
      onChanges: (changes) => this.onChanges(changes),
      onNotice: (n) => options.sink.notice(n),
      onWarning: (key, obj, msg) => this.warnOnce(key, obj, msg),
      onInternalError: (e) => this.internalError(e),
    });
  }

  /** Counters, with the backend in use. */
  get stats(): WatchStats {
    return { ...this.counts, backend: this.supervisor.backend?.name ?? null, degraded: this.supervisor.degraded };
  }

  get root(): string {
    return this.o.root;
  }

  /** Start watching; resolves when the backend is ready (or the watcher fell back to polling). */
  start(): Promise<void> {
    return this.supervisor.start();
  }

  /** Stop watching, send out what is still waiting, and wait for it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.supervisor.close();
    await Promise.allSettled([...this.side]);
    // send out what is still waiting (a directory removed at the last moment may add one more round)
    for (let i = 0; i < 3 && (this.coalescer.busy || this.pairer.size > 0 || i === 0); i++) {
      this.chain = this.chain.then(() => this.process(Infinity)).catch((e) => this.internalError(e));
      await this.chain;
    }
  }

  /** Resolves once everything received so far went out (for tests and the benchmark). */
  async idle(): Promise<void> {
    for (let i = 0; i < 1000 && !this.closed; i++) {
      await Promise.allSettled([...this.side]);
      await this.chain;
      if (!this.coalescer.busy && this.pairer.size === 0 && this.side.size === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private rel(abs: string): string | undefined {
    const r = relative(this.o.root, abs);
    if (r === '' || r.startsWith('..') || r.startsWith(sep)) return undefined;
    return sep === '/' ? r : r.split(sep).join('/');
  }

  private isNested(abs: string): boolean {
    return this.o.nestedRoots?.some((n) => abs === n || abs.startsWith(n + sep)) ?? false;
  }

  private onChanges(changes: readonly RawChange[]): void {
    if (this.closed) return;
    const now = this.now();
    for (const c of changes) {
      const rel = this.rel(c.path);
      if (rel === undefined || this.isNested(c.path)) continue;
      if (this.o.matcher.isIgnoreFile(rel)) this.o.matcher.invalidate(parentOf(rel));
      if (this.o.matcher.ignores(rel, c.isDir === true)) {
        this.counts.ignored++;
        continue;
      }
      if (c.isDir === true) {
        this.counts.directories++;
        if (c.kind === 'created') {
          this.noteDir(rel);
          if (!this.supervisor.backend?.reportsNewDirContents) this.scanNewDir(rel);
        } else if (c.kind === 'deleted' && !this.supervisor.backend?.reportsNewDirContents) this.expandDeletedDir(rel, now);
        continue;
      }
      this.noteActive(rel);
      this.counts.received++;
      this.coalescer.push(rel, c.kind, now);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const a = this.coalescer.nextDeadline();
    const b = this.pairer.nextDeadline();
    const t = a === undefined ? b : b === undefined ? a : Math.min(a, b);
    if (t === undefined || (this.timer && this.timerAt <= t)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = t;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.chain = this.chain
        .then(() => this.process(this.now()))
        .catch((e) => {
          this.internalError(e);
          this.schedule();
        });
    }, Math.max(0, t - this.now()));
  }

  private async process(now: number): Promise<void> {
    const outs: CoalescedOutput[] = this.coalescer.drain(now);
    const changes: Extract<CoalescedOutput, { type: 'change' }>[] = [];
    for (const o of outs) {
      if (o.type === 'transient') {
        this.counts.transient += o.count;
        this.counts.accounted += o.count;
        this.o.logger.debug({ project: this.o.root, path: o.path, count: o.count }, 'a file was created and removed again before it was reported; not reported');
      } else if (o.type === 'bulk') await this.emitBulk(o);
      else changes.push(o);
    }
    // deletions first, so that both halves of a rename meet
    for (const c of changes) if (c.kind === 'deleted') this.holdDelete(c.path, c.count, c.lastAt, now);
    const others = changes.filter((c) => c.kind !== 'deleted');
    const facts = await mapLimit(others, INSPECT_CONCURRENCY, (c) => this.inspect(c.path));
    others.forEach((c, i) => this.emitChange(c, facts[i] as FileFacts));
    const expired = now === Infinity ? this.pairer.takeAll() : this.pairer.expire(this.now());
    for (const d of expired) this.emitDeleted(d);
    if (now !== Infinity) this.schedule();
  }

  private holdDelete(path: string, count: number, lastAt: number, now: number): void {
    if (this.knownDirs.has(path)) {
      this.counts.directories += count;
      this.counts.accounted += count;
      this.knownDirs.delete(path);
      this.expandDeletedDir(path, now);
      return;
    }
    const known = this.o.known.get(path);
    this.pairer.add({ path, key: known?.key ?? null, at: now === Infinity ? this.now() : now, info: { count, lastAt, known } });
  }

  /** A directory went away: the files known below it went with it (backends report only the directory when it is moved out). */
  private expandDeletedDir(dir: string, now: number): void {
    const at = now === Infinity ? this.now() : now;
    for (const p of this.o.known.under(dir, MAX_EXPAND)) {
      if (this.coalescer.has(p) || this.pairer.has(p)) continue;
      this.counts.synthesized++;
      this.coalescer.push(p, 'deleted', at);
    }
  }

  /** A directory appeared: report the files already in it (the backend only saw the directory). */
  private scanNewDir(dir: string): void {
    const work = scanDirectory(this.o.root, dir, {
      skip: (rel, isDir) => this.o.matcher.ignores(rel, isDir) || this.isNested(join(this.o.root, rel)),
      limit: MAX_SCAN_FILES,
      stopped: () => this.closed,
      onDir: (rel) => this.noteDir(rel),
      onFile: (rel) => {
        if (this.coalescer.has(rel)) return;
        this.counts.synthesized++;
        this.coalescer.push(rel, 'created', this.now());
      },
      onError: (rel, e) => this.warnOnce(`scan:${rel}`, { project: this.o.root, path: rel, err: messageOf(e) }, `cannot list new directory ${rel} in ${this.o.root}: ${messageOf(e)}; its files are reported when they change`),
    })
      .then(({ truncated }) => {
        if (truncated) this.warnOnce(`scan-cap:${dir}`, { project: this.o.root, path: dir, limit: MAX_SCAN_FILES }, `new directory ${dir} in ${this.o.root} holds more than ${MAX_SCAN_FILES} files; only the first ${MAX_SCAN_FILES} are reported as created`);
      })
      .catch((e) => this.internalError(e))
      .finally(() => {
        this.side.delete(work);
        this.schedule();
      });
    this.side.add(work);
  }

  private emitChange(c: Extract<CoalescedOutput, { type: 'change' }>, f: FileFacts): void {
    const abs = join(this.o.root, c.path);
    if (f.type === 'dir') {
      this.counts.directories += c.count;
      this.counts.accounted += c.count;
      this.noteDir(c.path);
      if (c.kind === 'created' && !this.supervisor.backend?.reportsNewDirContents) this.scanNewDir(c.path);
      return;
    }
    this.warnProblem(c.path, f);
    const known = this.o.known.get(c.path);
    const kind: ChangeKind = c.kind === 'created' && known ? 'modified' : c.kind;
    if (kind === 'modified' && f.key !== null && known?.key === f.key && c.firstAt - (this.lastSent.get(c.path) ?? -Infinity) <= this.duplicateWindow()) {
      // the second half of a write already reported (backends may split one write in two batches)
      this.counts.duplicate += c.count;
      this.counts.accounted += c.count;
      return;
    }
    if (kind === 'created' && (f.type === 'file' || f.type === 'symlink')) {
      const m = this.pairer.match(c.path, f.key);
      if (m) return this.emitRenamed(m.deleted, m.by, c, f);
    }
    const [linesAdded, linesRemoved] = changeLines(kind, f, this.o.cache.get(abs), known);
    this.counts.changed++;
    this.counts.accounted += c.count;
    this.o.sink.changed(
      { path: c.path, kind, language: languageOf(c.path), ext: extOf(c.path), size: f.size, lines: f.lines, linesAdded, linesRemoved, binary: f.binary, count: c.count },
      c.lastAt,
    );
    this.remember(c.path, f, c.lastAt);
  }

  private emitRenamed(d: PendingDelete<DeleteInfo>, by: MatchedBy, c: Extract<CoalescedOutput, { type: 'change' }>, f: FileFacts): void {
    const fromAbs = join(this.o.root, d.path);
    const [linesAdded, linesRemoved] = renameLines(by, f, this.o.cache.get(fromAbs), d.info.known);
    const count = d.info.count + c.count;
    this.counts.renamed++;
    this.counts.accounted += count;
    this.o.sink.renamed({ from: d.path, to: c.path, language: languageOf(c.path), ext: extOf(c.path), size: f.size, lines: f.lines, linesAdded, linesRemoved, count, matchedBy: by }, c.lastAt);
    this.o.known.delete(d.path);
    this.o.cache.delete(fromAbs);
    this.remember(c.path, f, c.lastAt);
  }

  private emitDeleted(d: PendingDelete<DeleteInfo>): void {
    const k = d.info.known;
    this.counts.changed++;
    this.counts.accounted += d.info.count;
    this.o.sink.changed(
      { path: d.path, kind: 'deleted', language: languageOf(d.path), ext: extOf(d.path), size: null, lines: null, linesAdded: 0, linesRemoved: k?.lines ?? null, binary: false, count: d.info.count },
      d.info.lastAt,
    );
    this.o.known.delete(d.path);
    this.o.cache.delete(join(this.o.root, d.path));
  }

  private async emitBulk(o: Extract<CoalescedOutput, { type: 'bulk' }>): Promise<void> {
    const summary = summarizeBulk(o.items, { sampleSize: this.o.sampleSize });
    this.counts.bulk++;
    this.counts.accounted += o.count;
    this.o.sink.bulk({ ...summary, durationMs: Math.max(0, o.lastAt - o.firstAt) }, o.items, o.lastAt);
    // keep the per-file memory true: gone files are forgotten, changed ones re-read (up to a bound)
    let refreshed = 0;
    const refresh: BulkItem[] = [];
    for (const it of o.items) {
      if (it.kind === 'deleted' || refreshed >= BULK_REFRESH) {
        this.o.known.delete(it.path);
        this.o.cache.delete(join(this.o.root, it.path));
      } else {
        refreshed++;
        refresh.push(it);
      }
    }
    const facts = await mapLimit(refresh, INSPECT_CONCURRENCY, (it) => this.inspect(it.path));
    refresh.forEach((it, i) => {
      const f = facts[i] as FileFacts;
      if (f.type === 'dir') this.noteDir(it.path);
      else this.remember(it.path, f, o.lastAt);
    });
  }

  private inspect(path: string): Promise<FileFacts> {
    return inspectFile(join(this.o.root, path), { maxTextBytes: this.o.maxTextBytes, maxHashBytes: this.o.maxHashBytes, ...(this.o.inspectorFs ? { fs: this.o.inspectorFs } : {}) });
  }

  private duplicateWindow(): number {
    return Math.max(MIN_DUPLICATE_WINDOW_MS, this.o.coalescer?.coalesceMs ?? DEFAULT_COALESCER_OPTIONS.coalesceMs);
  }

  private remember(path: string, f: FileFacts, ts: number): void {
    const abs = join(this.o.root, path);
    this.lastSent.delete(path);
    this.lastSent.set(path, this.now());
    if (this.lastSent.size > MAX_WARNED) {
      const cutoff = this.now() - this.duplicateWindow();
      for (const [p, at] of this.lastSent) {
        if (at > cutoff) break;
        this.lastSent.delete(p);
      }
    }
    if (f.type === 'file' || f.type === 'symlink') {
      this.o.known.set(path, { size: f.size, key: f.key, lines: f.lines }, ts);
      if (f.text !== undefined) this.o.cache.set(abs, f.text);
      else this.o.cache.delete(abs);
    } else {
      this.o.known.delete(path);
      this.o.cache.delete(abs);
    }
  }

  private warnProblem(path: string, f: FileFacts): void {
    if (!f.problem) return;
    const w = problemWarning(this.o.root, path, f.problem, this.o);
    this.warnOnce(w.key, w.obj, w.msg);
  }

  private warnOnce(key: string, obj: Record<string, unknown>, msg: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size >= MAX_WARNED) this.warned.clear();
    this.warned.add(key);
    this.o.logger.warn(obj, msg);
  }

  private noteDir(dir: string): void {
    this.knownDirs.delete(dir);
    this.knownDirs.set(dir, true);
    if (this.knownDirs.size > MAX_KNOWN_DIRS) this.knownDirs.delete(this.knownDirs.keys().next().value as string);
  }

  /** Remember the directories of a changed path: they are known to be directories, and the parent is active. */
  private noteActive(rel: string): void {
    const parent = parentOf(rel);
    if (parent) {
      this.activeDirs.delete(parent);
      this.activeDirs.set(parent, true);
      if (this.activeDirs.size > MAX_ACTIVE_DIRS) this.activeDirs.delete(this.activeDirs.keys().next().value as string);
      for (let d = parent; d && !this.knownDirs.has(d); d = parentOf(d)) this.noteDir(d);
    }
  }

  private internalError(e: unknown): void {
    this.o.logger.error({ project: this.o.root, err: messageOf(e), stack: (e as Error)?.stack }, `file-monitor internal error while watching ${this.o.root}: ${messageOf(e)}; watching continues`);
  }
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i === -1 ? '' : rel.slice(0, i);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
