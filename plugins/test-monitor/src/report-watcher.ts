import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { FoundReport, ReportFiles, ReportProblem } from './report-files.js';

export interface ReportWatcherHandlers {
  onFound(found: FoundReport): void | Promise<void>;
  onProblem(problem: ReportProblem): void;
  /** A walk of `root` stopped at the directory budget. */
  onTruncated(root: string): void;
  /** fs.watch could not watch a directory (the periodic scan still covers it). */
  onWatchError(dir: string, err: Error): void;
}

export interface ReportWatcherOptions {
  /** Files written less than this long ago are read later, so a half-written report is not parsed. */
  settleMs: number;
  /** Watch events for one directory within this window are handled together. */
  debounceMs: number;
  /** Most directories watched with fs.watch at once (the scan covers the rest). */
  maxWatchedDirs: number;
}

/**
 * Keeps report files in view: `scan()` walks every project (run it at start and now and then, to
 * find new directories); between scans, fs.watch on the directories that hold reports (and on the
 * patterns' existing base directories) reacts to rewrites within a debounce. Each changed file is
 * read, hashed and parsed once per content. No timers of its own besides debounce and settle
 * delays; `close()` stops everything.
 *
 * @example
 * ```ts
 * const w = new ReportWatcher(() => projects, files, handlers, { settleMs: 500, debounceMs: 200, maxWatchedDirs: 256 });
 * await w.scan();
 * const timer = setInterval(() => void w.scan(), 30_000);
 * ```
 */
export class ReportWatcher {
  private readonly watchers = new Map<string, { root: string; w: FSWatcher }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Names fs.watch reported per directory since its last look (a new subdirectory means a new walk). */
  private readonly names = new Map<string, Set<string>>();
  /** Directories that appeared while watching: watched even before they hold a report. */
  private readonly fresh = new Map<string, string>();
  private scanning: Promise<void> | undefined;
  private closed = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly roots: () => readonly string[],
    private readonly files: ReportFiles,
    private readonly handlers: ReportWatcherHandlers,
    private readonly options: ReportWatcherOptions,
  ) {}

  /** Walk every project, read what changed, and adjust the watched directories. Never overlaps itself. */
  scan(): Promise<void> {
    this.scanning ??= this.scanAll().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scanAll(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const root of this.roots()) {
      if (this.closed) return;
      const listed = await this.files.list(root, this.abort.signal);
      if (listed.truncated && !this.abort.signal.aborted) this.handlers.onTruncated(root);
      for (const dir of listed.dirs) if (!wanted.has(dir)) wanted.set(dir, root);
      for (const file of listed.files) await this.readOne(root, file, dirname(file));
    }
    if (this.closed) return;
    for (const [dir, root] of this.fresh) {
      if (!(await stat(dir).catch(() => undefined))?.isDirectory()) this.fresh.delete(dir);
      else if (!wanted.has(dir)) wanted.set(dir, root);
    }
    for (const [dir, entry] of this.watchers) {
      if (!wanted.has(dir)) (entry.w.close(), this.watchers.delete(dir));
    }
    for (const [dir, root] of wanted) this.watchDir(dir, root);
  }

  private async readOne(root: string, file: string, dir: string): Promise<void> {
    if (this.closed) return;
    const out = await this.files.read(root, file, { settleMs: this.options.settleMs });
    if (this.closed) return;
    if (out.kind === 'found') await this.handlers.onFound(out.found);
    else if (out.kind === 'problem') this.handlers.onProblem(out.problem);
    else if (out.kind === 'settling') this.later(root, dir, out.retryInMs);
  }

  private watchDir(dir: string, root: string): void {
    if (this.watchers.has(dir) || this.watchers.size >= this.options.maxWatchedDirs) return;
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name) {
          const set = this.names.get(dir) ?? new Set<string>();
          if (set.size < 1000) set.add(String(name));
          this.names.set(dir, set);
        }
        this.later(root, dir, this.options.debounceMs);
      });
      w.on('error', (err) => {
        w.close();
        this.watchers.delete(dir);
        this.fresh.delete(dir);
        this.handlers.onWatchError(dir, err);
      });
      this.watchers.set(dir, { root, w });
    } catch (e) {
      this.handlers.onWatchError(dir, e as Error);
    }
  }

  /** Look at one directory's matching files after `ms` (one pending look per directory). */
  private later(root: string, dir: string, ms: number): void {
    if (this.closed || this.timers.has(dir)) return;
    const t = setTimeout(() => {
      this.timers.delete(dir);
      void this.checkDir(root, dir).catch((e: Error) => this.handlers.onWatchError(dir, e));
    }, ms);
    t.unref();
    this.timers.set(dir, t);
  }

  private async checkDir(root: string, dir: string): Promise<void> {
    const named = this.names.get(dir);
    this.names.delete(dir);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    let newDir = false;
    for (const e of entries) {
      if (e.isDirectory() && named?.has(e.name) && !this.files.ignores(e.name)) {
        // Watch it at once: a runner often creates the directory first and writes the report a moment later.
        newDir = true;
        this.keepFresh(join(dir, e.name), root);
      }
      if (!e.isFile()) continue;
      const file = join(dir, e.name);
      if (this.files.matches(relativePosix(root, file))) await this.readOne(root, file, dir);
    }
    // A directory appeared (test-results/ on a first run): walk again to find and watch what it holds.
    if (newDir) this.rescanSoon();
  }

  private keepFresh(dir: string, root: string): void {
    if (this.fresh.size >= 64) {
      const oldest = this.fresh.keys().next().value as string;
      this.fresh.delete(oldest);
    }
    this.fresh.set(dir, root);
    this.watchDir(dir, root);
  }

  private rescanSoon(): void {
    if (this.closed || this.timers.has('')) return;
    const t = setTimeout(() => {
      this.timers.delete('');
      void this.scan();
    }, Math.max(this.options.debounceMs, 250));
    t.unref();
    this.timers.set('', t);
  }

  /** Directories currently watched (for status and tests). */
  get watched(): string[] {
    return [...this.watchers.keys()].sort();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const { w } of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.scanning?.catch(() => {});
  }
}

function relativePosix(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}
