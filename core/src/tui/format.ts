/** Small, deterministic formatters for the terminal dashboard (numbers, times, sizes, events). */

const pad2 = (n: number) => String(n).padStart(2, '0');

function parts(ms: number, tz: 'local' | 'utc'): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const t = new Date(ms);
  return tz === 'utc'
    ? { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() }
    : { y: t.getFullYear(), mo: t.getMonth() + 1, d: t.getDate(), h: t.getHours(), mi: t.getMinutes(), s: t.getSeconds() };
}

/** `HH:MM:SS`. */
export function clock(ms: number, tz: 'local' | 'utc' = 'local'): string {
  const p = parts(ms, tz);
  return `${pad2(p.h)}:${pad2(p.mi)}:${pad2(p.s)}`;
}

/** `HH:MM:SS` on the day of `now`, `MM-DD HH:MM` on other days (always 11 columns or fewer). */
export function when(ms: number, now: number, tz: 'local' | 'utc' = 'local'): string {
  const p = parts(ms, tz);
  const n = parts(now, tz);
  if (p.y === n.y && p.mo === n.mo && p.d === n.d) return clock(ms, tz);
  return `${pad2(p.mo)}-${pad2(p.d)} ${pad2(p.h)}:${pad2(p.mi)}`;
}

/** `45s`, `12m`, `1h 12m`, `3d 4h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** `12 B`, `4.0 KB`, `123.4 MB`; `?` when unknown. */
export function bytes(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** `1,234,567`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `950`, `12.3k`, `4.5M`. */
export function compact(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}

/** Milliseconds with precision where it matters: `0.42`, `3.1`, `120`. */
export function millis(n: number | null): string {
  if (n === null) return '-';
  if (n < 1) return n.toFixed(2);
  if (n < 10) return n.toFixed(1);
  return count(n);
}

/** A rate: `0`, `0.4`, `12.3`, `1,234`. */
export function perSecond(n: number): string {
  if (n === 0) return '0';
  if (n < 100) return n.toFixed(1);
  return count(n);
}

/** The last path segment of a project root (`/home/dev/webapp` → `webapp`). */
export function baseName(path: string | null): string {
  if (!path) return '-';
  const trimmed = path.replace(/[\\/]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1) || trimmed;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Keys that say most about an event, in the order they are tried by the generic summary. */
const SUMMARY_KEYS = ['title', 'subject', 'message', 'path', 'command', 'branch', 'tag', 'metric', 'tool', 'plugin', 'reason', 'error', 'detail', 'file', 'name'];

/** One short line about an event's data, for lists; never the whole payload. */
export function summarizeEvent(type: string, data: unknown): string {
  const d = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  const noun = type.split('.').slice(1).join('.');
  const lines = (a: unknown, r: unknown) => (num(a) !== undefined || num(r) !== undefined ? ` (+${num(a) ?? 0} -${num(r) ?? 0})` : '');
  switch (noun) {
    case 'file.changed':
      return `${str(d.kind) ?? 'changed'} ${str(d.path) ?? '?'}${lines(d.linesAdded, d.linesRemoved)}`;
    case 'file.renamed':
      return `${str(d.from) ?? '?'} -> ${str(d.to) ?? '?'}`;
    case 'files.bulk-changed':
      return `${num(d.count) ?? '?'} files changed together`;
    case 'commit.created': {
      const stats = (d.stats ?? {}) as Record<string, unknown>;
      return `${(str(d.hash) ?? '').slice(0, 7)} ${str(d.subject) ?? ''}${lines(stats.added, stats.removed)}`.trim();
    }
    case 'branch.switched':
      return `${str(d.from) ?? '(detached)'} -> ${str(d.to) ?? '(detached)'}`;
    case 'merge.detected':
      return `${str(d.mergedBranch) ?? (str(d.hash) ?? '').slice(0, 7)} into ${str(d.into) ?? '?'} (${str(d.kind) ?? 'merge'})`;
    case 'run.finished':
    case 'build.finished':
    case 'deploy.finished': {
      const counts = num(d.passed) !== undefined || num(d.failed) !== undefined ? ` ${num(d.passed) ?? 0} passed, ${num(d.failed) ?? 0} failed` : '';
      const took = num(d.durationMs) !== undefined ? ` in ${duration(d.durationMs as number)}` : '';
      return `${d.ok === false ? 'FAILED' : 'ok'} ${str(d.command) ?? ''}${counts}${took}`.replace(/ {2,}/g, ' ');
    }
    case 'session.updated':
    case 'session.ended':
      return `${str(d.tool) ?? 'ai'} ${str(d.model) ?? ''} ${num(d.prompts) ?? 0} prompts, ${num(d.toolCallsTotal) ?? 0} tool calls`.replace(/ {2,}/g, ' ');
    case 'stage.changed':
      return `${str(d.from) ?? '-'} -> ${str(d.to) ?? '?'}${str(d.subStage) ? ` / ${str(d.subStage)}` : ''}`;
    case 'threshold.exceeded':
    case 'threshold.cleared':
      return `${str(d.metric) ?? '?'} ${num(d.value) ?? '?'} (max ${num(d.max) ?? '?'})`;
  }
  for (const k of SUMMARY_KEYS) {
    const v = str(d[k]);
    if (v) return v;
  }
  const scalars = Object.entries(d).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
  return scalars
    .slice(0, 4)
    .map(([k, v]) => `${k}=${String(v).slice(0, 60)}`)
    .join(' ');
}
