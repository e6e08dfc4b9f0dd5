// The git commands the monitor runs, through simple-git, for one repository. Read-only: nothing here
// takes the index lock (GIT_OPTIONAL_LOCKS=0) or writes to the repository.
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createRequire } from 'node:module';
import type { SimpleGit, simpleGit as SimpleGitFactory } from 'simple-git';

// simple-git is loaded when the first repository is opened, not when the plugin starts (~40 ms
// of imports every `devflow mcp` process would pay).
const requireCjs = createRequire(import.meta.url);
let factory: typeof SimpleGitFactory | undefined;
const simpleGit: typeof SimpleGitFactory = ((...args: Parameters<typeof SimpleGitFactory>) =>
  (factory ??= (requireCjs('simple-git') as { simpleGit: typeof SimpleGitFactory }).simpleGit)(...args)) as typeof SimpleGitFactory;
import { LogStreamParser, logArgs, parseLog, parseNumstat, type FileStat, type LogOptions, type RawCommit } from './log-parser.js';
import { parseRefs, parseReflog, REFS_FORMAT, REFS_PATTERNS, type RefEntry, type ReflogEntry } from './refs.js';

// simple-git refuses to run with variables that can execute programs (editors, pagers, askpass)
// or redirect config; our commands need none of them, so they are left out.
const UNSAFE_ENV = new Set(['editor', 'git_askpass', 'git_exec_path', 'git_external_diff', 'git_pager', 'git_proxy_command', 'git_template_dir', 'git_sequence_editor', 'git_ssh', 'git_ssh_command', 'pager', 'prefix', 'ssh_askpass', 'git_editor']);

function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    const key = k.toLowerCase();
    if (v === undefined || UNSAFE_ENV.has(key) || key.startsWith('git_config')) continue;
    env[k] = v;
  }
  return { ...env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}

let sharedEnv: Record<string, string> | undefined;

/** A simple-git instance for `dir`; `signal` kills its running git processes. Throws if `dir` does not exist. */
export function gitAt(dir: string, signal?: AbortSignal): SimpleGit {
  sharedEnv ??= gitEnv();
  return simpleGit({ baseDir: dir, trimmed: false, maxConcurrentProcesses: 4, ...(signal ? { abort: signal } : {}) }).env(sharedEnv);
}

/** Read the last `maxBytes` of a file (reflogs grow for years; only the tail matters). */
export async function readTail(path: string, maxBytes = 65_536): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const text = buf.toString('utf8');
    // Drop a partial first line when we did not start at the beginning.
    return size > length ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await fh.close();
  }
}

/** One repository's git, as the monitor uses it. */
export class GitClient {
  readonly git: SimpleGit;

  constructor(
    readonly dir: string,
    /** The repository's common git directory (refs, logs, packed-refs live here). */
    readonly commonDir: string,
    private readonly signal?: AbortSignal,
  ) {
    this.git = gitAt(dir, signal);
  }

  async refs(): Promise<RefEntry[]> {
    return parseRefs(await this.git.raw(['for-each-ref', REFS_FORMAT, ...REFS_PATTERNS]));
  }

  /** Details of some tags: what they point at, tagger date, subject. */
  async tags(names: readonly string[]): Promise<{ name: string; target: string; annotated: boolean; dateMs: number | null; subject: string }[]> {
    if (!names.length) return [];
    const out = await this.git.raw(['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)%00%(contents:subject)', ...names.map((n) => `refs/tags/${n}`)]);
    const tags = [];
    for (const line of out.split('\n')) {
      const [ref, type, hash, peeled, date, subject] = line.split('\0');
      if (!ref || !hash) continue;
      const annotated = type === 'tag';
      tags.push({ name: ref.slice('refs/tags/'.length), target: annotated ? peeled || hash : hash, annotated, dateMs: date ? Number(date) * 1000 : null, subject: annotated ? (subject ?? '') : '' });
    }
    return tags;
  }

  /**
   * Run the log pass and hand over each commit while git is still printing (so recording overlaps
   * with git's work). If `onCommit` throws, git is stopped and the error is rethrown.
   */
  async logStream(o: LogOptions, onCommit: (c: RawCommit) => void): Promise<{ seen: number; skipped: number }> {
    if (!o.revs.length) return { seen: 0, skipped: 0 };
    const stop = new AbortController();
    let failure: unknown;
    const parser = new LogStreamParser((c) => {
      if (failure === undefined) onCommit(c);
    });
    const feed = (text: string) => {
      if (failure !== undefined) return;
      try {
        parser.push(text);
      } catch (e) {
        failure = e;
        stop.abort(e);
      }
    };
    const git = gitAt(this.dir, this.signal ? AbortSignal.any([this.signal, stop.signal]) : stop.signal);
    git.outputHandler((_command, stdout) => {
      const decoder = new StringDecoder('utf8');
      stdout.on('data', (b: Buffer) => feed(decoder.write(b)));
      stdout.on('end', () => feed(decoder.end()));
    });
    try {
      await git.raw(logArgs(o));
    } catch (e) {
      throw failure ?? e;
    }
    if (failure !== undefined) throw failure;
    parser.end();
    return { seen: parser.seen, skipped: parser.skipped };
  }

  async log(o: LogOptions): Promise<{ commits: RawCommit[]; skipped: number }> {
    if (!o.revs.length) return { commits: [], skipped: 0 };
    return parseLog(await this.git.raw(logArgs(o)));
  }

  /** How many commits a log pass would visit (for progress). */
  async count(o: Pick<LogOptions, 'revs' | 'not' | 'sinceMs' | 'maxCount'>): Promise<number> {
    if (!o.revs.length) return 0;
    const args = ['rev-list', '--count'];
    if (o.sinceMs !== undefined) args.push(`--since=${new Date(Math.max(0, o.sinceMs)).toISOString()}`);
    if (o.maxCount !== undefined) args.push(`--max-count=${o.maxCount}`);
    args.push(...o.revs);
    if (o.not?.length) args.push('--not', ...o.not);
    args.push('--');
    return Number((await this.git.raw(args)).trim()) || 0;
  }

  /** The best common ancestor of two commits, or null. */
  async mergeBase(a: string, b: string): Promise<string | null> {
    const out = (await this.git.raw(['merge-base', a, b])).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
  }

  /** Local branches whose tips are reachable from `commit` (already merged into it). */
  async mergedInto(commit: string): Promise<Set<string>> {
    const out = await this.git.raw(['for-each-ref', `--merged=${commit}`, '--format=%(refname:strip=2)', 'refs/heads']);
    return new Set(out.split('\n').filter(Boolean));
  }

  /** Commits in `of` that are not in `notIn`. */
  async countOnly(of: string, notIn: string): Promise<number> {
    return Number((await this.git.raw(['rev-list', '--count', of, '--not', notIn, '--'])).trim()) || 0;
  }

  /** [behind, ahead] of `branch` relative to `base`. */
  async aheadBehind(base: string, branch: string): Promise<[number, number]> {
    const [behind, ahead] = (await this.git.raw(['rev-list', '--left-right', '--count', `${base}...${branch}`, '--'])).trim().split(/\s+/).map(Number);
    return [behind || 0, ahead || 0];
  }

  /** File statistics of the change from `from` to `to`. */
  async diffStats(from: string, to: string): Promise<FileStat[]> {
    const out = await this.git.raw(['diff', '-z', '--numstat', '--no-color', '--no-ext-diff', from, to, '--']);
    return parseNumstat(out);
  }

  /** The reflog of a ref in the common directory (`refs/heads/x`, `refs/stash`), oldest first; [] when there is none. */
  async reflog(ref: string, gitDir = this.commonDir): Promise<ReflogEntry[]> {
    try {
      return parseReflog(await readTail(join(gitDir, 'logs', ref)));
    } catch {
      return [];
    }
  }

  /** The HEAD file of a worktree's git directory. */
  static async readHead(gitDir: string): Promise<string> {
    return readFile(join(gitDir, 'HEAD'), 'utf8');
  }
}
