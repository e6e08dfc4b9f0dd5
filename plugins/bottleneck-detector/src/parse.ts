// Tolerant readers for event payload fields: events come from many monitors (and, later,
// integrations) and may carry nulls, wrong types or strings where numbers belong. Each reader
// returns a usable value or null; nothing here throws.

/** A non-empty string, trimmed and cut to `max` characters, else null. */
export function str(v: unknown, max = 500): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) v = String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s ? s.slice(0, max) : null;
}

/** A finite number (numeric strings accepted), else null. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A time in ms: a number, a numeric string or an ISO string; else null. */
export function time(v: unknown): number | null {
  const n = num(v);
  if (n !== null) return n;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

/** Strings of an array (non-strings dropped), at most `max` of them. */
export function strings(v: unknown, max = 100, maxLen = 300): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    const s = str(typeof x === 'object' && x !== null ? (x as { login?: unknown; name?: unknown }).login ?? (x as { name?: unknown }).name : x, maxLen);
    if (s !== null) out.push(s);
    if (out.length >= max) break;
  }
  return out;
}

/** The plain object in `v`, else an empty one. */
export function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A command line normalized for grouping runs: whitespace collapsed, at most 200 characters. */
export function command(v: unknown): string | null {
  const s = str(v, 2000);
  return s ? s.replace(/\s+/g, ' ').slice(0, 200) : null;
}

/** The wall-clock time a UUIDv7 was minted (its first 48 bits), or null for another id format. */
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7/i;
export function uuidv7Time(id: string): number | null {
  if (id.charCodeAt(14) !== 55 /* '7' */ || !UUIDV7.test(id)) return null;
  const t = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  return Number.isFinite(t) ? t : null;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** The UTC day number of a time. */
export const dayOf = (ts: number): number => Math.floor(ts / DAY_MS);
