import type { DevflowEvent, EmitOptions, Severity, StoredEvent } from '@devflow/plugin-sdk';
import { uuidv7 } from 'uuidv7';
import type { EventBus } from './bus/event-bus.js';
import { PluginError, messageOf } from './errors.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { EventWriter } from './storage/event-log.js';

const SEVERITIES = new Set<Severity>(['debug', 'info', 'warn', 'error']);

/**
 * The one ingest path: envelope → `eventBeforeStore` waterfall (may enrich, redact or drop) →
 * check it serializes → queue for the batched append → deliver to listeners. The returned promise
 * resolves when the event's batch has committed.
 */
export class Ingest {
  dropped = 0;

  constructor(
    private readonly hooks: HookRegistry,
    private readonly bus: EventBus,
    private readonly writer: EventWriter,
  ) {}

  emit(source: string, type: string, data: unknown, options: EmitOptions = {}): Promise<StoredEvent | undefined> {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new PluginError('KRN_ERR_EVENT_INVALID', { plugin: source, phase: 'event', detail: `event "${type}" data must be a JSON object` });
    }
    const severity = options.severity ?? 'info';
    if (!SEVERITIES.has(severity)) {
      throw new PluginError('KRN_ERR_EVENT_INVALID', { plugin: source, phase: 'event', detail: `event "${type}" severity must be debug, info, warn or error` });
    }
    const draft: DevflowEvent = {
      id: uuidv7(),
      type,
      source,
      project: options.project ?? null,
      ts: options.ts ?? Date.now(),
      severity,
      data: data as Record<string, unknown>,
    };
    const event = this.hooks.call('eventBeforeStore', draft) as DevflowEvent | null;
    if (event === null) {
      this.dropped++;
      return Promise.resolve(undefined);
    }
    let json: string;
    try {
      json = JSON.stringify(event.data);
    } catch (e) {
      throw new PluginError('KRN_ERR_EVENT_INVALID', { plugin: source, phase: 'event', cause: e, detail: `event "${type}" data cannot be stored as JSON: ${messageOf(e)}` });
    }
    Object.freeze(event);
    // Queue before delivering: an event a listener emits in reaction must land after its cause.
    const stored = this.writer.append(event, json);
    this.bus.dispatch(event);
    return stored;
  }
}
