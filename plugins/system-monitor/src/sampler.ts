import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const finite = (n: number) => (Number.isFinite(n) ? n : 0);

export interface Sample {
  ts: number;
  cpuPercent: number;
  rssMb: number;
  heapUsedMb: number;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  dbMb: number;
  queueDepth: number;
  ingestPerSec: number;
}

/** What the sampler reads from the kernel; injected so tests can drive it. */
export interface KernelReadings {
  dbBytes(): number | null;
  queueDepth(): number;
  committed(): number;
}

/**
 * Samples this process: CPU share since the last sample, memory, event-loop delay (a histogram
 * reset each sample), database size, the event queue and the ingest rate.
 */
export class Sampler {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private lastCommitted: number;
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly kernel: KernelReadings) {
    this.lastCommitted = kernel.committed();
    this.loop.enable();
  }

  sample(now = Date.now()): Sample {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    const elapsedMs = Math.max(1, at - this.lastAt);
    const committed = this.kernel.committed();
    const mem = process.memoryUsage();
    const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
    const s: Sample = {
      ts: now,
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
      rssMb: mb(mem.rss),
      heapUsedMb: mb(mem.heapUsed),
      loopLagP99Ms: finite(Math.round(this.loop.percentile(99) / 1e4) / 100),
      loopLagMaxMs: finite(Math.round(this.loop.max / 1e4) / 100),
      dbMb: mb(this.kernel.dbBytes() ?? 0),
      queueDepth: this.kernel.queueDepth(),
      ingestPerSec: Math.round(((committed - this.lastCommitted) / elapsedMs) * 1000 * 10) / 10,
    };
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
    this.lastCommitted = committed;
    this.loop.reset();
    return s;
  }

  close(): void {
    this.loop.disable();
  }
}
