// Evidence candidates: which signals can still be among a stage's top 5. Pure functions.
//
// Evidence is the top 5 signals of a stage in the window, ranked by weight decayed to the clock
// (ties: newer first). All signals decay alike, so the ratio of two decayed weights does not depend
// on the clock: a signal `d` newer than `s` (by ts, then id) whose weight × 2^(ts / halfLife) is
// larger by a safe margin (far above floating-point error) outranks `s` at every clock, and leaves
// the window no earlier. Once 5 such signals exist, `s` can never be evidence again and is dropped:
// the fold keeps only these candidates (about 5 per stage) instead of one row per signal.
import type { Evidence } from './stages.js';

/** One signal kept as an evidence candidate (an item of `stage_analyzer__evidence.signals`). */
export interface SignalRow {
  id: number;
  ts: number;
  stage: string;
  sub_stage: string;
  rule: string;
  weight: number;
  event_id: string;
  event_type: string;
  detail: string;
}

export const MAX_EVIDENCE = 5;

/** The top contributors (by weight decayed to `clock`), newest first on ties; at most 5. */
export function topEvidence(rows: readonly SignalRow[], clock: number, halfLifeMs: number): Evidence[] {
  return rows
    .map((r) => ({ r, c: r.weight * 2 ** (-Math.max(0, clock - r.ts) / halfLifeMs) }))
    .sort((a, b) => b.c - a.c || b.r.ts - a.r.ts || b.r.id - a.r.id)
    .slice(0, MAX_EVIDENCE)
    .map(({ r }) => ({ rule: r.rule, eventType: r.event_type, eventId: r.event_id, detail: r.detail }));
}

const newer = (a: SignalRow, b: SignalRow) => a.ts > b.ts || (a.ts === b.ts && a.id > b.id);
/** How much larger (log2 units) a newer signal's key must be to outrank for sure: ~1e4 × the rounding error. */
const MARGIN = 1e-9;
/** Keys are only compared while decayed weights stay far from floating-point underflow. */
const MAX_HALF_LIVES = 900;
const MIN_KEYED_WEIGHT = 1e-6;

/** Keep the 5 largest values in `top` (descending). */
function push5(top: number[], v: number): void {
  if (top.length === MAX_EVIDENCE && (top[MAX_EVIDENCE - 1] as number) >= v) return;
  let j = top.length < MAX_EVIDENCE ? top.length : MAX_EVIDENCE - 1;
  while (j > 0 && (top[j - 1] as number) < v) {
    top[j] = top[j - 1] as number;
    j--;
  }
  top[j] = v;
}

const byAge = (a: SignalRow, b: SignalRow) => (newer(a, b) ? 1 : newer(b, a) ? -1 : 0);

/**
 * The rows that can still be evidence within a window of `windowMs`: those with fewer than 5 newer
 * rows that outrank them at every clock (5 newer rows at least as heavy, or 5 newer rows whose
 * weight × 2^(ts / halfLife) is larger by a safe margin). Input in any order; output oldest first.
 */
export function candidates<R extends SignalRow>(rows: readonly R[], halfLifeMs: number, windowMs: number): R[] {
  const sorted = [...rows].sort(byAge);
  if (sorted.length <= MAX_EVIDENCE) return sorted;
  const keyed = windowMs / halfLifeMs <= MAX_HALF_LIVES;
  // Keys relative to the newest row stay small, so their rounding error is ~1e-13 at most.
  const ref = (sorted[sorted.length - 1] as R).ts;
  const keep: R[] = [];
  const topWeights: number[] = [];
  const topKeys: number[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const r = sorted[i] as R;
    const key = keyed && r.weight >= MIN_KEYED_WEIGHT ? Math.log2(r.weight) + (r.ts - ref) / halfLifeMs : null;
    const byWeight = topWeights.length === MAX_EVIDENCE && (topWeights[MAX_EVIDENCE - 1] as number) >= r.weight;
    const byKey = key !== null && topKeys.length === MAX_EVIDENCE && (topKeys[MAX_EVIDENCE - 1] as number) >= key + MARGIN;
    if (!byWeight && !byKey) keep.push(r);
    push5(topWeights, r.weight);
    if (key !== null) push5(topKeys, key);
  }
  return keep.reverse();
}

/** A stage's candidates as stored (compact JSON: one array per signal). */
export function encodeCandidates(rows: readonly SignalRow[]): string {
  return JSON.stringify(rows.map((r) => [r.id, r.ts, r.weight, r.rule, r.sub_stage, r.event_id, r.event_type, r.detail]));
}

/** Read what `encodeCandidates` wrote (rows of `stage`); anything malformed reads as no rows. */
export function decodeCandidates(stage: string, json: string | null | undefined): SignalRow[] {
  if (!json) return [];
  try {
    const raw = JSON.parse(json) as unknown;
    if (!Array.isArray(raw)) return [];
    return raw.map(([id, ts, weight, rule, sub_stage, event_id, event_type, detail]) => ({ id, ts, stage, sub_stage, rule, weight, event_id, event_type, detail }) as SignalRow);
  } catch {
    return [];
  }
}
