import { PluginError } from '../errors.js';
import type { Lease } from './lease.js';

/**
 * Keeps (or waits for) the monitor lease: takes it on first use, renews it every third of its TTL,
 * and tells the kernel (and plugins waiting in `ctx.lease.whileHeld`) when this process gains or
 * loses it. A keeper made with `enabled: false` never takes it (one-shot CLI processes).
 */
export class LeaseKeeper {
  held = false;
  private until = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly watchers = new Set<(held: boolean) => void>();

  constructor(
    readonly lease: Lease,
    private readonly onError: (error: PluginError) => void,
    private readonly onChange: () => void,
    private readonly enabled = true,
    /** Lease-bound work starts only once this settles (see KernelOptions.leaseWorkAfter). */
    readonly workGate: Promise<unknown> = Promise.resolve(),
  ) {}

  /** Take or renew the lease now; starts the renew/take-over loop on first use. */
  take(): boolean {
    if (!this.enabled) return false;
    try {
      this.held = this.lease.acquire();
      if (this.held) this.until = Date.now() + this.lease.ttlMs;
    } catch (e) {
      // A renewal stuck behind a long write (SQLITE_BUSY) does not lose a lease that has not expired.
      this.onError(new PluginError('KRN_ERR_LEASE', { phase: 'lease', cause: e, detail: `could not take or renew the monitor lease: ${String(e)}` }));
      this.held = this.held && Date.now() < this.until;
    }
    if (!this.timer) {
      this.timer = setInterval(() => {
        const had = this.held;
        if (had === this.take()) return;
        this.onChange();
        for (const w of this.watchers) w(this.held);
      }, Math.max(200, Math.floor(this.lease.ttlMs / 3)));
      this.timer.unref();
    }
    return this.held;
  }

  /** Be told when this process gains (true) or loses (false) the lease. */
  watch(fn: (held: boolean) => void): () => void {
    this.watchers.add(fn);
    return () => void this.watchers.delete(fn);
  }

  /** Stop renewing; release the lease if held, so another process takes over at once. */
  close(): void {
    clearInterval(this.timer);
    this.watchers.clear();
    if (this.held) this.lease.release();
    this.held = false;
  }
}
