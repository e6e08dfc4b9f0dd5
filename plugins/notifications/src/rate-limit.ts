// Token bucket per channel: `perHour` tokens, refilled continuously; state is a row in the database.

export interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** The bucket refilled up to `now` (never more than `perHour`; a clock that went back refills nothing). */
export function refill(b: Bucket | undefined, perHour: number, now: number): Bucket {
  if (!b) return { tokens: perHour, updatedAt: now };
  const elapsed = Math.max(0, now - b.updatedAt);
  return { tokens: Math.min(perHour, b.tokens + (elapsed * perHour) / 3_600_000), updatedAt: Math.max(now, b.updatedAt) };
}

/** Take one token: the new bucket and whether it was allowed. `perHour` 0 means unlimited. */
export function take(b: Bucket | undefined, perHour: number, now: number): { bucket: Bucket; allowed: boolean } {
  if (perHour <= 0) return { bucket: { tokens: 0, updatedAt: now }, allowed: true };
  const r = refill(b, perHour, now);
  if (r.tokens >= 1) return { bucket: { tokens: r.tokens - 1, updatedAt: r.updatedAt }, allowed: true };
  return { bucket: r, allowed: false };
}
