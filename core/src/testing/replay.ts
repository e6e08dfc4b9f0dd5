import { definePlugin, type AnyPluginDefinition, type EmitOptions, type Severity, type StoredEvent } from '@devflow/plugin-sdk';

/** One recorded event in a fixture file: `ts` in ms since the epoch or as an ISO date string. */
export interface RecordedEvent {
  type: string;
  data?: Record<string, unknown>;
  project?: string | null;
  ts?: number | string;
  severity?: Severity;
}

interface Emitter {
  emit(type: string, data: Record<string, unknown>, options?: EmitOptions): Promise<StoredEvent | undefined>;
}

/**
 * Stand-in plugins, one per event source (`git-monitor`, `file-monitor`, …), that do nothing but
 * emit recorded events in their namespace, so analyzers can be fed fixtures through the real
 * ingest path (hooks, bus, batched append, projections) without running the real monitors.
 *
 * @example
 * ```ts
 * const tk = await createTestKernel({ plugins: [stageAnalyzer, ...eventSources(fixture)], t });
 * await replay(tk, fixture);
 * ```
 */
export function eventSources(events: readonly RecordedEvent[] | readonly string[]): AnyPluginDefinition[] {
  const ids = new Set(events.map((e) => (typeof e === 'string' ? e : sourceOf(e.type))));
  return [...ids].map((id) =>
    definePlugin({
      id,
      version: '1.0.0',
      kernel: '^1.0.0',
      description: `stand-in for ${id} that replays recorded events`,
      start: (ctx): Emitter => ({ emit: (type, data, options) => ctx.events.emit(type, data, options) }),
    }),
  );
}

function sourceOf(type: string): string {
  return type.slice(0, type.indexOf('.'));
}

/**
 * Emit recorded events in order through their stand-in sources (see {@link eventSources}) and
 * resolve once every one of them is committed. `tk` is the `TestKernel`.
 */
export async function replay(tk: { kernel: { pluginApi(id: string): unknown }; flush(): void }, events: readonly RecordedEvent[]): Promise<(StoredEvent | undefined)[]> {
  const pending: Promise<StoredEvent | undefined>[] = [];
  for (const e of events) {
    const source = tk.kernel.pluginApi(sourceOf(e.type)) as Emitter | undefined;
    if (!source?.emit) throw new Error(`recorded event ${e.type}: no stand-in source "${sourceOf(e.type)}" is running; add eventSources(fixture) to the plugins`);
    const ts = typeof e.ts === 'string' ? Date.parse(e.ts) : e.ts;
    if (ts !== undefined && !Number.isFinite(ts)) throw new Error(`recorded event ${e.type}: ts ${String(e.ts)} is not a date`);
    pending.push(source.emit(e.type, e.data ?? {}, { project: e.project ?? null, ts, severity: e.severity }));
  }
  tk.flush();
  return Promise.all(pending);
}
