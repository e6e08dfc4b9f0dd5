// Reading event payloads defensively: every field may be missing, null, negative or of the wrong
// type. Nothing here throws. Pure.

/** A finite number ≥ 0, else null (strings, negatives, NaN are not numbers here). */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** A non-empty string cut to `max` characters, else null. */
export function str(v: unknown, max = 500): string | null {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null;
}

/** The strings of an array (others dropped), at most `limit`. */
export function strings(v: unknown, limit = 500, max = 300): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (typeof x === 'string' && x.length > 0) out.push(x.slice(0, max));
    if (out.length >= limit) break;
  }
  return out;
}

export function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Milliseconds of a UUIDv7 (the kernel's event ids: the time the event was stored), else null. */
export function idTime(id: unknown): number | null {
  if (typeof id !== 'string' || id.length < 15 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(14) !== 55) return null;
  let t = 0;
  for (let i = 0; i < 13; i++) {
    if (i === 8) continue;
    const c = id.charCodeAt(i) | 32; // lower case
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return null;
    t = t * 16 + d;
  }
  return t;
}

/**
 * The time an event is counted at: its `ts`, but never more than `maxFutureMs` after the moment it
 * was stored (read from its UUIDv7 id, so replays give the same answer). Null when neither is usable.
 */
export function effectiveTs(ts: unknown, id: unknown, maxFutureMs: number): number | null {
  const stored = idTime(id);
  const t = typeof ts === 'number' && Number.isFinite(ts) ? ts : null;
  if (t === null) return stored;
  return stored !== null && t > stored + maxFutureMs ? stored + maxFutureMs : t;
}

/** A time from an ISO string or epoch ms, else null. */
export function timeOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

export interface FileChange {
  path: string;
  from: string | null;
  added: number;
  removed: number;
}

/** What the metrics need of a `git-monitor.commit.created` payload. */
export interface CommitFacts {
  hash: string;
  merge: boolean;
  rewrite: boolean;
  imported: boolean;
  added: number;
  removed: number;
  fileCount: number;
  files: FileChange[];
  subject: string;
  type: string | null;
  branch: string | null;
  issueKeys: string[];
}

/** Per-file changes of a commit payload (binaries and bad rows count 0 lines). */
export function filesOf(v: unknown, limit = 1000): FileChange[] {
  if (!Array.isArray(v)) return [];
  const out: FileChange[] = [];
  for (const f of v.slice(0, limit)) {
    const o = obj(f);
    const path = str(o.path, 4096);
    if (path) out.push({ path, from: str(o.from, 4096), added: num(o.added) ?? 0, removed: num(o.removed) ?? 0 });
  }
  return out;
}

/** Commit facts, or null without a hash. Line totals from `stats`, else summed from `files`. */
export function commitFacts(d: Record<string, unknown>): CommitFacts | null {
  const hash = str(d.hash, 100);
  if (!hash) return null;
  const files = filesOf(d.files);
  const stats = obj(d.stats);
  const sum = (k: 'added' | 'removed') => files.reduce((n, f) => n + f[k], 0);
  const parents = Array.isArray(d.parents) ? d.parents.length : 0;
  return {
    hash,
    merge: d.merge === true || parents > 1,
    rewrite: d.rewrite === true,
    imported: d.imported === true,
    added: num(stats.added) ?? sum('added'),
    removed: num(stats.removed) ?? sum('removed'),
    fileCount: num(stats.files) ?? files.length,
    files,
    subject: str(d.subject, 1000) ?? '',
    type: str(obj(d.conventional).type, 50),
    branch: str(d.branch, 500),
    issueKeys: strings(d.issueKeys, 20, 100),
  };
}

/** A revert: subject `Revert "…"` or Conventional Commit type `revert`. */
export function isRevert(subject: string, type: string | null): boolean {
  return /^Revert "/.test(subject) || type?.toLowerCase() === 'revert';
}

/** A hotfix: type `hotfix`, or the pattern matches the subject or the branch. */
export function isHotfix(subject: string, type: string | null, branch: string | null, re: RegExp): boolean {
  return type?.toLowerCase() === 'hotfix' || re.test(subject) || (branch !== null && re.test(branch));
}

/** The first issue key in `text`, else null. */
export function issueKeyOf(text: string | null, re: RegExp): string | null {
  if (!text) return null;
  const m = re.exec(text);
  return m ? m[0].slice(0, 100) : null;
}
