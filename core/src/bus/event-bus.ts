import type { DevflowEvent, Disposable } from '@devflow/plugin-sdk';
import { EventEmitter } from 'eventemitter3';

const SEGMENT = '[a-z0-9][a-z0-9-]*';
const TYPE_RE = new RegExp(`^${SEGMENT}(\\.${SEGMENT}){2,}$`);
const PATTERN_RE = new RegExp(`^(\\*|${SEGMENT}(\\.${SEGMENT})*(\\.\\*)?)$`);

/** `<plugin-id>.<noun>.<past-verb>`: at least three dot-separated kebab-case segments. */
export function isEventType(type: string): boolean {
  return TYPE_RE.test(type);
}

/** An exact type, a prefix ending in `.*`, or `*`. */
export function isEventPattern(pattern: string): boolean {
  return PATTERN_RE.test(pattern);
}

type Handler = (event: DevflowEvent) => void;

/**
 * The in-process bus. eventemitter3 has no wildcards, so a prefix subscription `a.b.*` is an
 * ordinary listener on the key `a.b.*`, and dispatching `a.b.c` also emits `a.*`, `a.b.*` and `*`.
 * Handlers arrive already wrapped by the plugin context (errors never reach the emitter).
 */
export class EventBus {
  private readonly ee = new EventEmitter();
  private readonly prefixCache = new Map<string, string[]>();

  on(pattern: string, handler: Handler): Disposable {
    this.ee.on(pattern, handler);
    return { dispose: () => void this.ee.off(pattern, handler) };
  }

  private keysFor(type: string): string[] {
    let keys = this.prefixCache.get(type);
    if (!keys) {
      keys = [type];
      const segs = type.split('.');
      for (let i = 1; i < segs.length; i++) keys.push(`${segs.slice(0, i).join('.')}.*`);
      keys.push('*');
      if (this.prefixCache.size > 10_000) this.prefixCache.clear();
      this.prefixCache.set(type, keys);
    }
    return keys;
  }

  dispatch(event: DevflowEvent): void {
    for (const key of this.keysFor(event.type)) {
      if (this.ee.listenerCount(key)) this.ee.emit(key, event);
    }
  }

  listenerCount(): number {
    return this.ee.eventNames().reduce((n, k) => n + this.ee.listenerCount(k), 0);
  }
}
