// Quiet hours: a daily local-time window (may wrap midnight) during which non-error notifications wait.

export interface QuietHours {
  /** "22:00" */
  start: string;
  /** "07:00" */
  end: string;
  /** IANA time zone; default the machine's. */
  timezone?: string;
  /** `digest` (default): hold and deliver one summary after the window; `drop`: discard. */
  mode?: 'digest' | 'drop';
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new Error(`"${hhmm}" is not a time of day HH:MM (00:00–23:59)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Throws a message saying what is wrong with the window (bad time, unknown time zone). */
export function checkQuietHours(q: QuietHours): void {
  minutesOf(q.start);
  minutesOf(q.end);
  if (q.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: q.timezone });
    } catch {
      throw new Error(`time zone "${q.timezone}" is unknown; use an IANA name such as "Europe/Berlin"`);
    }
  }
}

/** Minutes since local midnight at `now` in `timezone` (default: the machine's zone). */
export function localMinutes(now: number, timezone?: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(timezone ? { timeZone: timezone } : {}) }).formatToParts(new Date(now));
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

/** True when `now` falls inside the window (start inclusive, end exclusive; start > end wraps midnight). */
export function inQuietHours(now: number, q: QuietHours): boolean {
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) return false;
  const t = localMinutes(now, q.timezone);
  return start < end ? t >= start && t < end : t >= start || t < end;
}
