// Hour, day and week buckets in a fixed offset from UTC, and how a window is covered by hour and
// day buckets. Pure.

export type BucketKind = 'h' | 'd' | 'w';
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
const SIZE: Record<BucketKind, number> = { h: HOUR, d: DAY, w: WEEK };
/** 1970-01-05 (4 days after the epoch) was a Monday: weeks start on Monday. */
const MONDAY = 4 * DAY;

export function bucketSize(kind: BucketKind): number {
  return SIZE[kind];
}

/** Start (ms, UTC epoch) of the bucket of `kind` holding `ts`, with buckets aligned to `offsetMs` local time. */
export function bucketStart(kind: BucketKind, ts: number, offsetMs = 0): number {
  const local = ts + offsetMs;
  if (kind === 'w') return Math.floor((local - MONDAY) / WEEK) * WEEK + MONDAY - offsetMs;
  const size = SIZE[kind];
  return Math.floor(local / size) * size - offsetMs;
}

function ceilTo(kind: BucketKind, ts: number, offsetMs: number): number {
  const b = bucketStart(kind, ts, offsetMs);
  return b === ts ? ts : b + SIZE[kind];
}

/** [since, until) widened outwards to whole hours (an empty window stays empty). */
export function widen(since: number, until: number, offsetMs = 0): { from: number; to: number } {
  const from = bucketStart('h', since, offsetMs);
  return { from, to: until <= since ? from : ceilTo('h', until, offsetMs) };
}

/** A run of buckets of one kind: starts in [from, to). */
export interface BucketRange {
  kind: BucketKind;
  from: number;
  to: number;
}

/**
 * The buckets covering [since, until) widened to whole hours: hours up to the first day boundary,
 * whole days, then hours again. (Rollups are kept per hour and day only: 90 days are 90 day rows
 * per project, and weeks are summed from days.)
 * @example plan(Date.parse('2025-03-03T10:00Z'), Date.parse('2025-03-20T05:30Z'))
 *   // h 10:00–24:00, d 4th–19th, h 00:00–06:00
 */
export function plan(since: number, until: number, offsetMs = 0): BucketRange[] {
  const { from: s, to: e } = widen(since, until, offsetMs);
  if (e <= s) return [];
  const ds = ceilTo('d', s, offsetMs);
  const de = bucketStart('d', e, offsetMs);
  if (ds >= de) return [{ kind: 'h', from: s, to: e }];
  const out: BucketRange[] = [
    { kind: 'h', from: s, to: ds },
    { kind: 'd', from: ds, to: de },
    { kind: 'h', from: de, to: e },
  ];
  return out.filter((r) => r.from < r.to);
}

/** [a, b) cut at the bucket boundaries of `kind`: [bucket start, milliseconds inside it][]. */
export function split(kind: BucketKind, a: number, b: number, offsetMs = 0): [number, number][] {
  const out: [number, number][] = [];
  let t = a;
  while (t < b) {
    const start = bucketStart(kind, t, offsetMs);
    const end = Math.min(b, start + SIZE[kind]);
    out.push([start, end - t]);
    t = end;
  }
  return out;
}
