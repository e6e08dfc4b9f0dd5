import { createHash } from 'node:crypto';
import { readdirSync, type Dirent } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { parseReport, ReportError, type ParsedReport } from './report-parsers.js';

export interface ReportFilesOptions {
  /** Globs relative to each project root (`**\/junit*.xml`, `coverage/lcov.info`). */
  patterns: readonly string[];
  /** Directory names never descended into by a `**` walk (`node_modules`, `.git`). */
  ignore: readonly string[];
  /** Most directories one walk of one project reads. */
  maxDirs: number;
  /** Larger report files are not read. */
  maxBytes: number;
  maxFailingTests: number;
}

/** A report file with new content, parsed. */
export interface FoundReport {
  root: string;
  file: string;
  /** Path relative to the project root, with `/` separators. */
  rel: string;
  mtimeMs: number;
  hash: string;
  report: ParsedReport;
}

/** A report file that could not be used, with the reason (for an attributed warning). */
export interface ReportProblem {
  root: string;
  file: string;
  rel: string;
  message: string;
  /** Some other kind of file that happens to match (logged at debug, not warned about). */
  unknownFormat: boolean;
}

export type ReadOutcome =
  | { kind: 'found'; found: FoundReport }
  | { kind: 'problem'; problem: ReportProblem }
  /** Unchanged since the last read, vanished, or (with `since`) older than asked for. */
  | { kind: 'skip' }
  /** Written less than `settleMs` ago: look again later. */
  | { kind: 'settling'; retryInMs: number };

export interface ListResult {
  files: string[];
  /** Directories that hold matches, plus the existing static bases of the patterns (to watch). */
  dirs: string[];
  /** The walk stopped at `maxDirs`. */
  truncated: boolean;
}

interface Walk {
  base: string;
  /** Infinity for `**` patterns. */
  depth: number;
}

/** Longest stretch a walk blocks the event loop before it yields. */
const SLICE_MS = 8;

const posix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/**
 * Finds report files under project roots by glob, and reads each one only when it changed (by
 * mtime and size, then by content hash). Walks are bounded (`maxDirs`), skip ignored directory
 * names and symbolic links, and yield to the event loop; files over `maxBytes` are refused.
 *
 * @example
 * ```ts
 * const files = new ReportFiles({ patterns: ['**\/junit*.xml'], ignore: ['node_modules'], maxDirs: 20000, maxBytes: 2e7, maxFailingTests: 50 });
 * const { files: found } = await files.list('/home/me/app');
 * for (const f of found) console.error(await files.read('/home/me/app', f));
 * ```
 */
export class ReportFiles {
  private readonly match: (rel: string) => boolean;
  private readonly ignore: Set<string>;
  private readonly walks: Walk[];
  /** Exact files (patterns without glob characters), relative to the root. */
  private readonly exact: string[];
  /** Per file: what was last read, so an unchanged file is neither read nor parsed again. */
  private readonly seen = new Map<string, { mtimeMs: number; size: number; hash: string }>();

  constructor(private readonly options: ReportFilesOptions) {
    this.match = picomatch([...options.patterns], { dot: true });
    this.ignore = new Set(options.ignore);
    const exact: string[] = [];
    const walks: Walk[] = [];
    for (const p of options.patterns) {
      const s = picomatch.scan(p);
      if (!s.isGlob) exact.push(s.base);
      else walks.push({ base: s.base, depth: s.glob.includes('**') ? Infinity : s.glob.split('/').length - 1 });
    }
    this.exact = exact;
    // A walk is not needed when a deeper-reaching walk already covers its base without passing an ignored directory.
    walks.sort((a, b) => a.base.length - b.base.length || b.depth - a.depth);
    this.walks = walks.filter((w, i) => !walks.slice(0, i).some((o) => this.covers(o, w)));
  }

  private covers(outer: Walk, inner: Walk): boolean {
    if (outer.base === inner.base) return outer.depth >= inner.depth;
    if (outer.depth !== Infinity) return false;
    if (outer.base && !inner.base.startsWith(`${outer.base}/`)) return false;
    const between = (outer.base ? inner.base.slice(outer.base.length + 1) : inner.base).split('/');
    return !between.some((d) => this.ignore.has(d));
  }

  /** Whether a directory name is never descended into. */
  ignores(name: string): boolean {
    return this.ignore.has(name);
  }

  /** Whether a root-relative path (with `/`) is a report file by the patterns. */
  matches(rel: string): boolean {
    return this.match(rel);
  }

  /** Every matching file under `root`. */
  async list(root: string, signal?: AbortSignal): Promise<ListResult> {
    const files = new Set<string>();
    const dirs = new Set<string>();
    let budget = this.options.maxDirs;
    let slice = performance.now();
    let truncated = false;
    for (const rel of this.exact) {
      const file = join(root, rel);
      const st = await stat(file).catch(() => undefined);
      if (st?.isFile()) (files.add(file), dirs.add(join(file, '..')));
      else if ((await stat(join(file, '..')).catch(() => undefined))?.isDirectory()) dirs.add(join(file, '..'));
    }
    for (const walk of this.walks) {
      const start = join(root, walk.base);
      const queue: { dir: string; depth: number }[] = [{ dir: start, depth: 0 }];
      let first = true;
      for (let next = 0; next < queue.length; next++) {
        if (signal?.aborted) return { files: [...files], dirs: [...dirs], truncated: true };
        if (budget-- <= 0) {
          truncated = true;
          break;
        }
        const { dir, depth } = queue[next] as { dir: string; depth: number };
        // Synchronous reads in slices of a few milliseconds: ~8× faster than one async call per
        // directory, and the event loop still gets a turn between slices.
        if (performance.now() - slice > SLICE_MS) {
          await new Promise((r) => setImmediate(r));
          slice = performance.now();
        }
        let entries: Dirent[];
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          continue;
        }
        if (first) (dirs.add(dir), (first = false));
        for (const e of entries) {
          if (e.isDirectory()) {
            if (depth < walk.depth && !this.ignore.has(e.name)) queue.push({ dir: join(dir, e.name), depth: depth + 1 });
          } else if (e.isFile()) {
            const file = join(dir, e.name);
            if (this.match(posix(relative(root, file)))) (files.add(file), dirs.add(dir));
          }
        }
      }
    }
    return { files: [...files].sort(), dirs: [...dirs].sort(), truncated };
  }

  /**
   * Read one report if its content changed since the last read (by this instance). `since`
   * skips files last modified before it; `settleMs` defers files still being written.
   */
  async read(root: string, file: string, opts: { since?: number; settleMs?: number; now?: number } = {}): Promise<ReadOutcome> {
    const rel = posix(relative(root, file));
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) {
      this.seen.delete(file);
      return { kind: 'skip' };
    }
    if (opts.since !== undefined && st.mtimeMs < opts.since) return { kind: 'skip' };
    const last = this.seen.get(file);
    if (last && last.mtimeMs === st.mtimeMs && last.size === st.size) return { kind: 'skip' };
    const age = (opts.now ?? Date.now()) - st.mtimeMs;
    if (opts.settleMs && age < opts.settleMs) return { kind: 'settling', retryInMs: Math.max(50, opts.settleMs - age) };
    const problem = (message: string, unknownFormat = false): ReadOutcome => ({ kind: 'problem', problem: { root, file, rel, message, unknownFormat } });
    if (st.size > this.options.maxBytes) {
      this.seen.set(file, { mtimeMs: st.mtimeMs, size: st.size, hash: '' });
      return problem(`${st.size} bytes, over maxReportBytes (${this.options.maxBytes}); not read`);
    }
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'skip' } : problem(`cannot read: ${(e as Error).message}`);
    }
    const hash = createHash('sha256').update(buf).digest('hex');
    const seenHash = last?.hash;
    this.seen.set(file, { mtimeMs: st.mtimeMs, size: st.size, hash });
    if (seenHash === hash) return { kind: 'skip' };
    try {
      const report = parseReport(rel, buf.toString('utf8'), this.options.maxFailingTests);
      return { kind: 'found', found: { root, file, rel, mtimeMs: st.mtimeMs, hash, report } };
    } catch (e) {
      if (e instanceof ReportError) return problem(e.message, e.unknownFormat);
      return problem(`cannot parse: ${(e as Error).message}`);
    }
  }
}
