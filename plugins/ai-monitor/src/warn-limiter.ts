/** What a rate-limited warning hands to the logger. */
export type WarnSink = (fields: Record<string, unknown>, message: string) => void;

/**
 * At most one warning per key (a file, a client) per interval; the ones held back are counted
 * and reported with the next warning for that key, so a garbage file cannot flood the log and
 * nothing is dropped silently.
 */
export class WarnLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly sink: WarnSink,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 1_000,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): boolean {
    const t = this.now();
    const prev = this.last.get(key);
    if (prev && t - prev.at < this.intervalMs) {
      prev.suppressed++;
      return false;
    }
    if (this.last.size >= this.maxKeys && !prev) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    const suppressed = prev?.suppressed ?? 0;
    this.last.delete(key);
    this.last.set(key, { at: t, suppressed: 0 });
    this.sink(suppressed ? { ...fields, suppressed } : fields, suppressed ? `${message} (${suppressed} similar warning(s) held back since the last one)` : message);
    return true;
  }
}
