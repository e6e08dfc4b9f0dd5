import type { DevflowEvent, EmitOptions, Severity, StoredEvent } from '@devflow/plugin-sdk';
import { uuidv7 } from 'uuidv7';
import type { EventBus } from './bus/event-bus.js';
import { PluginError, messageOf } from './errors.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { EventWriter } from './storage/event-log.js';

const SEVERITIES = new Set<Severity>(['debug', 'info', 'warn', 'error']);

/** What is wrong with an envelope, if anything. */
function invalidEnvelope(e: DevflowEvent): string | undefined {
  if (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) return 'data must be a JSON object';
  if (!SEVERITIES.has(e.severity)) return 'severity must be debug, info, warn or error';
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return 'ts must be a finite number of milliseconds';
  if (e.project !== null && typeof e.project !== 'string') return 'project must be a string or null';
  return undefined;
}

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
    const draft: DevflowEvent = {
      id: uuidv7(),
      type,
      source,
      project: options.project ?? null,
      ts: options.ts ?? Date.now(),
      severity: options.severity ?? 'info',
      data: data as Record<string, unknown>,
    };
    const invalid = invalidEnvelope(draft);
    if (invalid) throw new PluginError('KRN_ERR_EVENT_INVALID', { plugin: source, phase: 'event', detail: `event "${type}" ${invalid}` });
    const hooked = this.hooks.call('eventBeforeStore', draft) as DevflowEvent | null;
    if (hooked === null) {
      this.dropped++;
      return Promise.resolve(undefined);
    }
    // Taps may enrich or redact, never re-attribute: id, type and source stay the emitter's.
    const event = hooked === draft ? draft : { ...hooked, id: draft.id, type: draft.type, source: draft.source };
    const bad = invalidEnvelope(event);
    let json: string | undefined;
    try {
      json = bad ? undefined : JSON.stringify(event.data);
    } catch (e) {
      throw new PluginError('KRN_ERR_EVENT_INVALID', { plugin: source, phase: 'event', cause: e, detail: `event "${type}" data cannot be stored as JSON: ${messageOf(e)}` });
    }
    if (bad || typeof json !== 'string') {
      // Not stored rather than stored unredacted: a broken redaction must never leak the original.
      throw new PluginError('KRN_ERR_EVENT_INVALID', {
        plugin: source,
        phase: 'event',
        detail: `event "${type}" ${bad ?? 'data does not serialize to JSON'}${hooked === draft ? '' : ' (after the eventBeforeStore hooks)'}`,
      });
    }
    Object.freeze(event);
    // Queue before delivering: an event a listener emits in reaction must land after its cause.
    const stored = this.writer.append(event, json);
    this.bus.dispatch(event);
    return stored;
  }
}
