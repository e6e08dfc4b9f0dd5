// One `git log` pass yields every commit with its file statistics: a custom format with control
// characters as separators and `-z --numstat`, so paths need no unquoting and renames come as
// (old, new) pairs. Plain functions, no git process and no kernel.
import { extractIssueKeys, parseConventional, parseTrailers, splitMessage, type Conventional, type Trailer } from './commit-message.js';

const RS = '\x1e'; // starts a commit record
const US = '\x1f'; // separates fields

/**
 * The `--format` of the log pass: hash, parents, tree, author name and email, author and committer
 * dates (strict ISO 8601), the ref it was reached from (`--source`), the raw message.
 */
export const LOG_FORMAT = `--format=${['%x1e%H', '%P', '%T', '%an', '%ae', '%aI', '%cI', '%S', '%B'].join('%x1f')}%x1f`;

export interface FileStat {
  path: string;
  /** Lines added; null for a binary file. */
  added: number | null;
  removed: number | null;
  /** The path before a rename or copy. */
  from?: string;
}

export interface RawCommit {
  hash: string;
  parents: string[];
  tree: string;
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  committedAt: string;
  authoredMs: number;
  committedMs: number;
  /** The ref the walk reached it from (`--source`), as git printed it. */
  source: string | null;
  message: string;
  files: FileStat[];
}

export interface LogOptions {
  /** Revisions to walk (refs or hashes). */
  revs: readonly string[];
  /** Revisions whose history is excluded (`--not …`). */
  not?: readonly string[];
  /** Only commits committed at or after this time (ms). */
  sinceMs?: number;
  maxCount?: number;
  /** Oldest first. */
  reverse?: boolean;
  /** Children before parents (needed to attribute branches along merges). */
  topoOrder?: boolean;
}

/** The arguments of the log pass (for `git log`). */
export function logArgs(o: LogOptions): string[] {
  const args = ['log', '-z', '--numstat', '--no-color', '--no-ext-diff', '--source', LOG_FORMAT];
  if (o.sinceMs !== undefined) args.push(`--since=${new Date(Math.max(0, o.sinceMs)).toISOString()}`);
  if (o.maxCount !== undefined) args.push(`--max-count=${o.maxCount}`);
  if (o.reverse) args.push('--reverse');
  if (o.topoOrder) args.push('--topo-order');
  args.push(...o.revs);
  if (o.not?.length) args.push('--not', ...o.not);
  args.push('--');
  return args;
}

const HASH_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function count(s: string): number | null {
  if (s === '-') return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** Parse `--numstat -z` output (of `git log` after a record, or of `git diff`). */
export function parseNumstat(rest: string): FileStat[] {
  const files: FileStat[] = [];
  const tokens = rest.split('\0');
  for (let k = 0; k < tokens.length; k++) {
    let t = tokens[k] as string;
    if (t.charCodeAt(0) === 10) t = t.slice(1);
    if (!t) continue;
    const tab1 = t.indexOf('\t');
    const tab2 = tab1 < 0 ? -1 : t.indexOf('\t', tab1 + 1);
    if (tab2 < 0) continue;
    const stat: FileStat = { path: t.slice(tab2 + 1), added: count(t.slice(0, tab1)), removed: count(t.slice(tab1 + 1, tab2)) };
    if (stat.path === '') {
      // A rename or copy under -z: "added\tremoved\t\0old\0new\0".
      const from = tokens[k + 1];
      const to = tokens[k + 2];
      k += 2;
      if (from === undefined || to === undefined) break;
      stat.path = to;
      stat.from = from;
    }
    files.push(stat);
  }
  return files;
}

/**
 * Parse the output of {@link logArgs}. Records that do not parse (a message with the separator
 * characters in it, a truncated tail) are skipped and counted in `skipped`.
 */
export function parseLog(output: string): { commits: RawCommit[]; skipped: number } {
  const commits: RawCommit[] = [];
  let skipped = 0;
  let start = output.indexOf(RS);
  while (start >= 0) {
    const next = output.indexOf(RS, start + 1);
    const record = output.slice(start + 1, next < 0 ? output.length : next);
    start = next;
    const c = parseRecord(record);
    if (c) commits.push(c);
    else skipped++;
  }
  return { commits, skipped };
}

function parseRecord(record: string): RawCommit | null {
  const f: string[] = [];
  let pos = 0;
  for (let i = 0; i < 8; i++) {
    const end = record.indexOf(US, pos);
    if (end < 0) return null;
    f.push(record.slice(pos, end));
    pos = end + 1;
  }
  const bodyEnd = record.lastIndexOf(US);
  if (bodyEnd < pos) return null;
  const [hash, parents, tree, authorName, authorEmail, authoredAt, committedAt, source] = f as [string, string, string, string, string, string, string, string];
  if (!HASH_RE.test(hash)) return null;
  const authoredMs = Date.parse(authoredAt);
  const committedMs = Date.parse(committedAt);
  if (!Number.isFinite(authoredMs) || !Number.isFinite(committedMs)) return null;
  return {
    hash,
    parents: parents ? parents.split(' ') : [],
    tree,
    authorName,
    authorEmail,
    authoredAt,
    committedAt,
    authoredMs,
    committedMs,
    source: source || null,
    message: record.slice(pos, bodyEnd),
    files: parseNumstat(record.slice(bodyEnd + 1)),
  };
}

/**
 * Parses {@link logArgs} output as it arrives: `push` text (decoded), get each complete record
 * through `onCommit`; `end` flushes the last one.
 */
export class LogStreamParser {
  private buffer = '';
  skipped = 0;
  seen = 0;

  constructor(private readonly onCommit: (c: RawCommit) => void) {}

  push(text: string): void {
    this.buffer += text;
    let start = this.buffer.indexOf(RS);
    if (start < 0) return;
    for (;;) {
      const next = this.buffer.indexOf(RS, start + 1);
      if (next < 0) break;
      this.take(this.buffer.slice(start + 1, next));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  end(): void {
    const start = this.buffer.indexOf(RS);
    if (start >= 0) this.take(this.buffer.slice(start + 1));
    this.buffer = '';
  }

  private take(record: string): void {
    const c = parseRecord(record);
    if (!c) {
      this.skipped++;
      return;
    }
    this.seen++;
    this.onCommit(c);
  }
}

/** A branch name from what `--source` printed: `refs/heads/x` and `x` give `x`; `HEAD`, tags and others give null. */
export function branchOfSource(source: string | null): string | null {
  if (!source || source === 'HEAD') return null;
  if (source.startsWith('refs/heads/')) return source.slice('refs/heads/'.length);
  if (source.startsWith('refs/')) return null;
  return source;
}

/** The payload of `git-monitor.commit.created`. */
export interface CommitData {
  [key: string]: unknown;
  repo: string;
  hash: string;
  parents: string[];
  author: { name: string; email: string };
  authoredAt: string;
  committedAt: string;
  subject: string;
  conventional: Conventional | null;
  issueKeys: string[];
  trailers: Trailer[];
  branch: string | null;
  /** At most `maxFiles` entries; `stats` counts all of them. */
  files: FileStat[];
  filesTruncated: boolean;
  stats: { files: number; added: number; removed: number };
  merge: boolean;
  /** Found by the history import (backfill) rather than as it happened. */
  imported: boolean;
  /** Made by rewriting history (a rebase or amend moved its branch to it). */
  rewrite: boolean;
}

export interface CommitDataOptions {
  repo: string;
  /** The branch to attribute it to; defaults to the ref it was reached from. */
  branch?: string | null;
  maxFiles: number;
  issueKeyPrefixes?: readonly string[];
  imported: boolean;
  rewrite?: boolean;
}

/** Everything a listener wants to know about a commit, bounded. */
export function toCommitData(c: RawCommit, o: CommitDataOptions): CommitData {
  const { subject, body } = splitMessage(c.message);
  const branch = o.branch !== undefined ? o.branch : branchOfSource(c.source);
  let added = 0;
  let removed = 0;
  for (const f of c.files) {
    added += f.added ?? 0;
    removed += f.removed ?? 0;
  }
  return {
    repo: o.repo,
    hash: c.hash,
    parents: c.parents,
    author: { name: c.authorName, email: c.authorEmail },
    authoredAt: c.authoredAt,
    committedAt: c.committedAt,
    subject,
    conventional: parseConventional(subject, body),
    issueKeys: extractIssueKeys(c.message, branch, o.issueKeyPrefixes),
    trailers: parseTrailers(c.message),
    branch,
    files: c.files.length > o.maxFiles ? c.files.slice(0, o.maxFiles) : c.files,
    filesTruncated: c.files.length > o.maxFiles,
    stats: { files: c.files.length, added, removed },
    merge: c.parents.length > 1,
    imported: o.imported,
    rewrite: o.rewrite ?? false,
  };
}
