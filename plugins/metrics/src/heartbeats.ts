// Heartbeat-style active time. Every relevant event is a heartbeat at its time; the time from one
// heartbeat of a project to the next counts when the gap is at most the idle timeout, otherwise the
// later heartbeat earns a fixed credit (so does the first one). The total depends only on the
// sorted set of heartbeats, so the fold (activity.ts) can keep sessions instead of heartbeats and
// still fold a late one exactly. Pure: the reference the fold must match.

/** What one heartbeat adds, given the one before it (null: none). */
export type Contribution = { span: [number, number] } | { credit: number; at: number };

export function contribution(prev: number | null, cur: number, idleMs: number, minActiveMs: number): Contribution | null {
  if (prev !== null && cur > prev && cur - prev <= idleMs) return { span: [prev, cur] };
  if (prev !== null && cur <= prev) return null;
  return minActiveMs > 0 ? { credit: minActiveMs, at: cur } : null;
}

/** Active time of a set of heartbeat times (any order, duplicates ignored): the reference the fold must match. */
export function activeTime(times: readonly number[], idleMs: number, minActiveMs: number): number {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  let total = 0;
  let prev: number | null = null;
  for (const t of sorted) {
    const c = contribution(prev, t, idleMs, minActiveMs);
    if (c) total += 'span' in c ? c.span[1] - c.span[0] : c.credit;
    prev = t;
  }
  return total;
}
