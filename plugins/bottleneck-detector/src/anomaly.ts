// Anomaly detection on a daily series with a robust (median/MAD) z-score. Pure.
//
//   median m = median(history), MAD = median(|x_i − m|)
//   z = 0.6745 · (x − m) / MAD                       (Iglewicz & Hoaglin's modified z-score)
//   if MAD = 0: z = (x − m) / (1.253314 · meanAD)     (meanAD = mean(|x_i − m|))
//   if that is 0 too: z = +∞ when x > m, else 0
//
// A day is anomalous when the history has at least `minHistory` days, z ≥ `zThreshold` and
// x ≥ m · (1 + minIncrease). Independently, x > `maxMs` (when > 0) is always slow.

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The robust z-score of `x` against `history` (NaN for an empty history). */
export function robustZ(x: number, history: readonly number[]): { z: number; median: number; mad: number } {
  const m = median(history);
  if (!history.length) return { z: NaN, median: m, mad: NaN };
  const dev = history.map((h) => Math.abs(h - m));
  const mad = median(dev);
  if (mad > 0) return { z: (0.6745 * (x - m)) / mad, median: m, mad };
  const meanAd = dev.reduce((a, b) => a + b, 0) / dev.length;
  if (meanAd > 0) return { z: (x - m) / (1.253314 * meanAd), median: m, mad };
  return { z: x > m ? Infinity : 0, median: m, mad };
}

export interface SlowOptions {
  zThreshold: number;
  minHistory: number;
  minIncrease: number;
  /** Absolute ceiling (0: none). */
  maxMs: number;
}

export interface SlowVerdict {
  slow: boolean;
  reason: 'threshold' | 'anomaly' | null;
  z: number | null;
  median: number | null;
  historyDays: number;
}

/**
 * Whether today's value `x` is slow: above the absolute ceiling, or an anomaly against `history`
 * (earlier days' values, one per day with data).
 *
 * @example
 * ```ts
 * detectSlow(95_000, [40_000, 41_000, 39_000, 40_500, 42_000, 40_000, 39_500], { zThreshold: 3.5, minHistory: 7, minIncrease: 0.25, maxMs: 0 }).slow; // true
 * ```
 */
export function detectSlow(x: number, history: readonly number[], o: SlowOptions): SlowVerdict {
  const enough = history.length >= o.minHistory;
  const r = history.length ? robustZ(x, history) : null;
  const z = r && Number.isFinite(r.z) ? Math.round(r.z * 100) / 100 : r && r.z === Infinity ? 999 : null;
  const base = { z, median: r ? r.median : null, historyDays: history.length };
  if (o.maxMs > 0 && x > o.maxMs) return { slow: true, reason: 'threshold', ...base };
  if (enough && r && r.z >= o.zThreshold && x >= r.median * (1 + o.minIncrease)) return { slow: true, reason: 'anomaly', ...base };
  return { slow: false, reason: null, ...base };
}
