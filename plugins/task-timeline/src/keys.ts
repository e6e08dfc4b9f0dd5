// Pure helpers: task keys from branch names and issue keys, tolerant field readers, event time,
// and string shortening. Nothing here knows about the kernel.

const LOOKALIKES = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'MD', 'TLS', 'SSL', 'HTTP', 'ES', 'ECMA', 'WIN', 'X', 'CVE', 'PEP', 'GPT', 'V', 'ARM', 'AES', 'RSA', 'CP', 'LATIN', 'IPV', 'H', 'MP', 'PY']);
const KEY_IN_BRANCH = /(?:^|[/_.\-\s])([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,7})(?=$|[/_.\-\s])/g;
const KEY_EXACT = /^[A-Z][A-Z0-9]{1,9}-\d{1,7}$/;

/** Recognizes issue keys (`PROJ-123`) in branch names and free text. */
export class IssueKeys {
  private readonly prefixes: Set<string> | null;
  /** taskOf answers for the branches seen lately (a pure function of the name: safe to remember). */
  private readonly tasks = new Map<string, string>();

  constructor(prefixes: readonly string[] = []) {
    this.prefixes = prefixes.length ? new Set(prefixes.map((p) => p.toUpperCase())) : null;
  }

  private accept(prefix: string): boolean {
    const p = prefix.toUpperCase();
    return this.prefixes ? this.prefixes.has(p) : !LOOKALIKES.has(p) && /[A-Z]/i.test(p) && !/^\d/.test(p);
  }

  /** The first issue key in a branch name or text (upper-cased), or null: `feature/proj-123-login` → `PROJ-123`. */
  find(text: string | null | undefined): string | null {
    if (!text) return null;
    for (const m of text.matchAll(KEY_IN_BRANCH)) if (this.accept(m[1] as string)) return `${(m[1] as string).toUpperCase()}-${m[2]}`;
    return null;
  }

  /** True for a string that is exactly an issue key this recognizer accepts. */
  isKey(text: string): boolean {
    return KEY_EXACT.test(text) && this.accept(text.slice(0, text.indexOf('-')));
  }

  /** The task a branch belongs to: the issue key in its name, else the branch name itself. */
  taskOf(branch: string): string {
    let task = this.tasks.get(branch);
    if (task === undefined) {
      if (this.tasks.size >= 1000) this.tasks.clear();
      this.tasks.set(branch, (task = this.find(branch) ?? branch));
    }
    return task;
  }
}

/** A usable branch name (not empty, not a detached HEAD marker), trimmed and bounded. */
export function branchName(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const b = v.trim().replace(/^refs\/heads\//, '');
  if (!b || b === 'HEAD' || b.startsWith('detached@') || b.length > 300) return null;
  return b;
}

export function str(v: unknown, max = 300): string | null {
  return typeof v === 'string' && v.length ? (v.length > max ? v.slice(0, max) : v) : null;
}

/** A finite number (numeric strings accepted), else null. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** A time in ms from ms, seconds or an ISO string, else null. */
export function time(v: unknown): number | null {
  const n = num(v);
  if (n !== null) return n > 0 && n < 1e11 ? n * 1000 : n;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the kernel stamped the event id (UUIDv7 carries its creation time in ms), or null. */
export function recordedAt(id: string): number | null {
  if (id.length === 36 && UUID_V7.test(id)) return parseInt(id.slice(0, 8), 16) * 65_536 + parseInt(id.slice(9, 13), 16);
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return null;
  return parseInt(hex.slice(0, 12), 16);
}

/** The number in the first 8 characters read as hex digits; NaN when one is not a hex digit. */
function hex8(s: string): number {
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const c = s.charCodeAt(i) | 0x20; // lower-case letters; digits keep their codes
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return NaN;
    n = n * 16 + d;
  }
  return n;
}

/** Events may claim to be this far ahead of when they were recorded before they are clamped. */
export const FUTURE_TOLERANCE_MS = 3_600_000;
const EARLIEST = Date.UTC(2000, 0, 1);

/**
 * The time to file an event under: its `ts`, unless that is implausible — from the future (more
 * than an hour after the kernel recorded it, per the UUIDv7 id) or before 2000 — then the time
 * it was recorded. Deterministic: it depends only on the event.
 */
export function eventTime(e: { id: string; ts: number }): number {
  const ts = Number.isFinite(e.ts) ? e.ts : NaN;
  // Fast path: when an id starts with 8 hex digits, they alone give a time at most its recording
  // time, so a ts within the tolerance of that is kept without reading the rest of the id.
  if (ts >= EARLIEST && ts <= hex8(e.id) * 65_536 + FUTURE_TOLERANCE_MS) return ts;
  const rec = recordedAt(e.id);
  if (!(ts >= EARLIEST)) return rec ?? (Number.isFinite(ts) ? ts : 0);
  if (rec !== null && ts > rec + FUTURE_TOLERANCE_MS) return rec;
  return ts;
}

/** At most `max` characters, cut in the middle-free way: `abc…`. */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

/** A path shortened from the left to at most `max` characters: `…/api/login.ts`. */
export function clipPath(p: string, max: number): string {
  if (p.length <= max) return p;
  const tail = p.slice(p.length - (max - 1));
  const slash = tail.indexOf('/');
  return `…${slash > 0 && slash < tail.length - 8 ? tail.slice(slash) : tail}`;
}

/** A path relative to the project when it lies inside it. */
export function relPath(path: string, project: string): string {
  if (project && path.startsWith(project) && (project.endsWith('/') || path.charCodeAt(project.length) === 47)) return path.slice(project.length).replace(/^\/+/, '');
  return path;
}

/** The directory the two have in common (`src/api/a.ts` + `src/api/b/c.ts` → `src/api`); '' for none. */
export function commonDir(a: string | null, path: string): string {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash) : '';
  if (a === null) return dir;
  // Usual cases first: the same directory, or one inside `a`.
  if (a === dir || (dir.startsWith(a) && dir.charCodeAt(a.length) === 47)) return a;
  const x = a.split('/');
  const y = dir.split('/');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return x.slice(0, i).join('/');
}

/** `1h05m`, `25m`, `40s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** `2026-03-02 10:12Z`. */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}
