import type { KernelStatus, StoredEvent } from '@devflow/plugin-sdk';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const MAX_TYPES = 500;
const RATE_WINDOW_S = 10;
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let processRegistry: Registry | undefined;

/**
 * Process metrics (CPU, memory, event loop lag, GC) live in one registry per process, made once:
 * prom-client's collectors install observers that are never removed, so a plugin restart must not
 * make new ones.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * DevFlow's Prometheus metrics, in a registry of its own (nothing global): events by type and the
 * ingest rate from the live feed, tool durations from afterToolCall, request durations from the
 * server, and gauges read from the kernel status at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly events = new Counter({ name: 'devflow_events_ingested_total', help: 'Events stored in the log since this server started, by type (types past the 500th count as "other").', labelNames: ['type'], registers: [this.registry] });
  private readonly rate = new Gauge({ name: 'devflow_ingest_rate', help: 'Events stored per second, averaged over the last 10 s.', registers: [this.registry] });
  private readonly queue = new Gauge({ name: 'devflow_ingest_queue_depth', help: 'Events emitted in this process and not yet committed.', registers: [this.registry] });
  readonly tools = new Histogram({ name: 'devflow_tool_call_duration_seconds', help: 'Tool call durations (calls that passed RBAC and input checks), by tool and outcome.', labelNames: ['tool', 'outcome'], buckets: BUCKETS, registers: [this.registry] });
  readonly http = new Histogram({ name: 'devflow_http_request_duration_seconds', help: 'HTTP request durations by route pattern, method and status.', labelNames: ['route', 'method', 'status'], buckets: BUCKETS, registers: [this.registry] });
  private readonly pluginUp = new Gauge({ name: 'devflow_plugin_up', help: '1 when the plugin is started, else 0; the state is a label.', labelNames: ['plugin', 'state'], registers: [this.registry] });
  private readonly dbSize = new Gauge({ name: 'devflow_database_size_bytes', help: 'Database file plus WAL, in bytes.', registers: [this.registry] });
  private readonly dbEvents = new Gauge({ name: 'devflow_database_events', help: 'Events in the log.', registers: [this.registry] });
  private readonly streamClients = new Gauge({ name: 'devflow_http_stream_clients', help: 'Live stream clients connected (WebSocket and SSE).', registers: [this.registry] });
  readonly streamDropped = new Counter({ name: 'devflow_http_stream_dropped_total', help: 'Stream clients disconnected because they did not read fast enough.', labelNames: ['transport'], registers: [this.registry] });
  private readonly types = new Set<string>();
  private readonly ring = new Float64Array(RATE_WINDOW_S + 1);
  private readonly ringSec = new Float64Array(RATE_WINDOW_S + 1);

  constructor() {
    processMetrics();
  }

  /** One stored event (from the feed). */
  event(e: StoredEvent, now = Date.now()): void {
    let type = e.type;
    if (!this.types.has(type)) {
      if (this.types.size >= MAX_TYPES) type = 'other';
      else this.types.add(type);
    }
    this.events.inc({ type });
    const sec = Math.floor(now / 1000);
    const i = sec % this.ring.length;
    if (this.ringSec[i] !== sec) (this.ringSec[i] = sec), (this.ring[i] = 0);
    (this.ring[i] as number)++;
  }

  /** Events per second over the last RATE_WINDOW_S whole seconds plus the current one's share. */
  ingestRate(now = Date.now()): number {
    const sec = Math.floor(now / 1000);
    let n = 0;
    for (let i = 0; i < this.ring.length; i++) if (sec - (this.ringSec[i] as number) < RATE_WINDOW_S) n += this.ring[i] as number;
    return n / RATE_WINDOW_S;
  }

  toolCall(tool: string, outcome: string, durationMs: number): void {
    this.tools.observe({ tool, outcome }, durationMs / 1000);
  }

  /** The exposition text: this registry, then the process metrics. */
  async render(status: KernelStatus | undefined, streamClients: number): Promise<string> {
    this.rate.set(this.ingestRate());
    this.streamClients.set(streamClients);
    if (status) {
      this.queue.set(status.ingest.pending);
      this.pluginUp.reset();
      for (const p of status.plugins) this.pluginUp.set({ plugin: p.id, state: p.state }, p.state === 'started' ? 1 : 0);
      if (status.database.sizeBytes !== null) this.dbSize.set(status.database.sizeBytes);
      this.dbEvents.set(status.database.events);
    }
    // together: the event-loop-lag collector waits one turn of the loop, during which ours serialize
    const [own, proc] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${proc}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
