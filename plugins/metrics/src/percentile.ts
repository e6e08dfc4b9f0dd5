// Percentiles: exact (nearest rank) over a few thousand samples, else from log-scaled histogram
// bins (8 per doubling: within about 4.5 % of the exact value). Pure.

const PER_OCTAVE = 8;

/** Nearest-rank percentile (`p` in 0..1) of ascending values; null when empty. p50 of [1,2,3,4] is 2. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}

/** The histogram bin of a value (ms ≥ 0). */
export function binOf(v: number): number {
  return v <= 0 ? 0 : Math.floor(Math.log2(v + 1) * PER_OCTAVE);
}

/** A representative value of a bin: its geometric middle. */
export function binValue(bin: number): number {
  return Math.max(0, Math.round(2 ** ((bin + 0.5) / PER_OCTAVE) - 1));
}

/** Nearest-rank percentile from [bin, count] pairs (any order); null when empty. */
export function histPercentile(bins: readonly (readonly [number, number])[], p: number): number | null {
  const sorted = [...bins].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  if (!total) return null;
  const rank = Math.min(total, Math.max(1, Math.ceil(p * total)));
  let seen = 0;
  for (const [bin, n] of sorted) {
    seen += n;
    if (seen >= rank) return binValue(bin);
  }
  return null;
}

/** A ratio rounded to 4 decimals, or null when the denominator is 0. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}
