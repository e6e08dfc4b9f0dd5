/** Pure statistics for the performance view: ingest rate from log positions, tool call latencies. */
import type { ToolStat } from './model.js';

/**
 * Samples of the log's max seq over time. The ingest rate is the growth of the max seq over the
 * last `windowMs` (or over what has been sampled so far, once at least `minSpanMs` has passed).
 */
export class RateSampler {
  private readonly samples: { t: number; seq: number }[] = [];

  constructor(
    readonly windowMs = 10_000,
    private readonly minSpanMs = 500,
  ) {}

  add(t: number, seq: number): void {
    const last = this.samples[this.samples.length - 1];
    // A clock that went back, or a log that shrank (restored backup): start over.
    if (last && (t < last.t || seq < last.seq)) this.samples.length = 0;
    this.samples.push({ t, seq });
    while (this.samples.length > 2 && (this.samples[1] as { t: number }).t <= t - this.windowMs) this.samples.shift();
  }

  /** Events per second, or null until two samples `minSpanMs` apart exist. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < this.minSpanMs) return null;
    return ((last.seq - first.seq) * 1000) / (last.t - first.t);
  }

  /** The span the current rate covers (ms). */
  span(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    return first && last ? last.t - first.t : 0;
  }
}

/** The q-quantile (0..1) of sorted numbers, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface CallRow {
  readonly target?: string | undefined;
  readonly outcome: string;
  readonly durationMs?: number | undefined;
}

/** Per tool: calls, errors (not ok), p50/p95/max of the durations known; most called first. */
export function toolStats(rows: readonly CallRow[]): ToolStat[] {
  const by = new Map<string, { calls: number; errors: number; durations: number[] }>();
  for (const r of rows) {
    const name = r.target ?? '(unknown)';
    let s = by.get(name);
    if (!s) by.set(name, (s = { calls: 0, errors: 0, durations: [] }));
    s.calls++;
    if (r.outcome !== 'ok') s.errors++;
    if (typeof r.durationMs === 'number' && Number.isFinite(r.durationMs)) s.durations.push(r.durationMs);
  }
  return [...by.entries()]
    .map(([tool, s]) => {
      const sorted = s.durations.sort((a, b) => a - b);
      return { tool, calls: s.calls, errors: s.errors, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted.length ? (sorted[sorted.length - 1] as number) : null };
    })
    .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));
}
