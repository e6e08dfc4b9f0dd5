/** A limit on one metric, and how long it must be exceeded before it counts. */
export interface Threshold {
  metric: string;
  max: number;
}

export interface ThresholdChange {
  metric: string;
  state: 'exceeded' | 'cleared';
  value: number;
  max: number;
  /** When the value first went over (ms). */
  since: number;
}

/**
 * Decides when a threshold has been exceeded for long enough to warn, and when it clears.
 * Pure: feed it samples with their times; it reports transitions once each.
 */
export class ThresholdTracker {
  private readonly over = new Map<string, number>();
  private readonly active = new Set<string>();

  constructor(
    private readonly thresholds: readonly Threshold[],
    private readonly holdMs: number,
  ) {}

  observe(values: Readonly<Record<string, number>>, now: number): ThresholdChange[] {
    const changes: ThresholdChange[] = [];
    for (const { metric, max } of this.thresholds) {
      const value = values[metric];
      if (value === undefined || !Number.isFinite(value)) continue;
      if (value > max) {
        const since = this.over.get(metric) ?? now;
        this.over.set(metric, since);
        if (!this.active.has(metric) && now - since >= this.holdMs) {
          this.active.add(metric);
          changes.push({ metric, state: 'exceeded', value, max, since });
        }
      } else {
        const since = this.over.get(metric);
        this.over.delete(metric);
        if (this.active.delete(metric)) changes.push({ metric, state: 'cleared', value, max, since: since ?? now });
      }
    }
    return changes;
  }

  /** Metrics currently over their threshold for long enough. */
  exceeded(): string[] {
    return [...this.active];
  }
}
