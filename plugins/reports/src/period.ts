// Report windows: a calendar day, an ISO week (Monday to Monday, or several weeks) or a sprint, in
// UTC or the machine's local time. Pure: every function takes the reference time explicitly.

export type Period = 'day' | 'week' | 'sprint';
export type TimeZoneMode = 'utc' | 'local';

export interface SprintConfig {
  lengthDays: number;
  /** First day of sprint 1, `YYYY-MM-DD`. */
  start: string;
}

/** One report window `[from, to)`, with the start of each day in it. */
export interface ReportWindow {
  period: Period;
  from: number;
  to: number;
  /** Human label: `2026-01-20`, `2026-W04`, `2026-W01 – 2026-W13`, `Sprint 3`. */
  label: string;
  /** Sprint number (1 = the sprint starting at `sprint.start`), else null. */
  sprint: number | null;
  /** Start of each day in the window, in order. */
  days: number[];
}

export interface WindowOptions {
  timeZone: TimeZoneMode;
  sprint: SprintConfig;
  /** For `week`: how many weeks the window spans, ending with the week that contains `at` (default 1). */
  weeks?: number;
}

const DAY_MS = 86_400_000;

function parts(t: number, tz: TimeZoneMode): { y: number; m: number; d: number; wd: number } {
  const x = new Date(t);
  return tz === 'utc'
    ? { y: x.getUTCFullYear(), m: x.getUTCMonth(), d: x.getUTCDate(), wd: x.getUTCDay() }
    : { y: x.getFullYear(), m: x.getMonth(), d: x.getDate(), wd: x.getDay() };
}

function make(y: number, m: number, d: number, tz: TimeZoneMode): number {
  return tz === 'utc' ? Date.UTC(y, m, d) : new Date(y, m, d).getTime();
}

/** Midnight that starts the day containing `t`. */
export function startOfDay(t: number, tz: TimeZoneMode): number {
  const p = parts(t, tz);
  return make(p.y, p.m, p.d, tz);
}

/** The midnight `n` calendar days after the day containing `t` (DST-safe in local time). */
export function addDays(t: number, n: number, tz: TimeZoneMode): number {
  const p = parts(t, tz);
  return make(p.y, p.m, p.d + n, tz);
}

/** `YYYY-MM-DD` of the day containing `t`. */
export function dayKey(t: number, tz: TimeZoneMode): string {
  const p = parts(t, tz);
  return `${p.y}-${String(p.m + 1).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** Whole calendar days from the day of `a` to the day of `b`. */
export function daysBetween(a: number, b: number, tz: TimeZoneMode): number {
  return Math.round((startOfDay(b, tz) - startOfDay(a, tz)) / DAY_MS);
}

/** ISO-8601 week label of the day containing `t`: `2026-W04`. */
export function isoWeek(t: number, tz: TimeZoneMode): string {
  const p = parts(t, tz);
  const d = new Date(Date.UTC(p.y, p.m, p.d));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7)); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / DAY_MS + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Parse `YYYY-MM-DD` as the midnight starting that day; undefined when it is not a date. */
export function parseDay(s: string, tz: TimeZoneMode): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const t = make(y, mo, d, tz);
  return dayKey(t, tz) === s ? t : undefined;
}

function daysOf(from: number, to: number, tz: TimeZoneMode): number[] {
  const out: number[] = [];
  for (let d = from; d < to && out.length < 400; d = addDays(d, 1, tz)) out.push(d);
  return out;
}

/** The window of `period` that contains `at`. Throws on a sprint start that is not a date. */
export function windowFor(period: Period, at: number, o: WindowOptions): ReportWindow {
  const tz = o.timeZone;
  const day = startOfDay(at, tz);
  if (period === 'day') {
    const to = addDays(day, 1, tz);
    return { period, from: day, to, label: dayKey(day, tz), sprint: null, days: [day] };
  }
  if (period === 'week') {
    const weeks = Math.max(1, Math.floor(o.weeks ?? 1));
    const monday = addDays(day, -((parts(day, tz).wd + 6) % 7), tz);
    const from = addDays(monday, -7 * (weeks - 1), tz);
    const to = addDays(monday, 7, tz);
    const label = weeks === 1 ? isoWeek(monday, tz) : `${isoWeek(from, tz)} – ${isoWeek(monday, tz)}`;
    return { period, from, to, label, sprint: null, days: daysOf(from, to, tz) };
  }
  const start = parseDay(o.sprint.start, tz);
  if (start === undefined) throw new Error(`sprint.start "${o.sprint.start}" is not a date (YYYY-MM-DD)`);
  const len = o.sprint.lengthDays;
  const n = Math.floor(daysBetween(start, day, tz) / len);
  const from = addDays(start, n * len, tz);
  const to = addDays(start, (n + 1) * len, tz);
  return { period, from, to, label: `Sprint ${n + 1}`, sprint: n + 1, days: daysOf(from, to, tz) };
}

/** The window just before `w` (same period and length). */
export function previousWindow(w: ReportWindow, o: WindowOptions): ReportWindow {
  return windowFor(w.period, w.from - 1, o);
}
