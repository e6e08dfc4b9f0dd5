import type { Disposable, HookKind, TapStage } from '@devflow/plugin-sdk';
import tapable from 'tapable';
import { PluginError } from '../errors.js';

const { SyncHook, SyncWaterfallHook, SyncBailHook, AsyncSeriesHook, AsyncSeriesBailHook, AsyncSeriesWaterfallHook, AsyncParallelHook } =
  tapable;

type AnyFn = (...args: unknown[]) => unknown;
type TapableHook = {
  tap(options: { name: string; stage: number }, fn: AnyFn): void;
  tapPromise(options: { name: string; stage: number }, fn: (...args: unknown[]) => Promise<unknown>): void;
  call(...args: unknown[]): unknown;
  promise(...args: unknown[]): Promise<unknown>;
};

const CONSTRUCTORS: Record<HookKind, new (args: string[]) => TapableHook> = {
  sync: SyncHook as never,
  syncWaterfall: SyncWaterfallHook as never,
  syncBail: SyncBailHook as never,
  asyncSeries: AsyncSeriesHook as never,
  asyncSeriesBail: AsyncSeriesBailHook as never,
  asyncSeriesWaterfall: AsyncSeriesWaterfallHook as never,
  asyncParallel: AsyncParallelHook as never,
};
const STAGE: Record<TapStage, number> = { pre: -100, normal: 0, post: 100 };
const ASYNC = new Set<HookKind>(['asyncSeries', 'asyncSeriesBail', 'asyncSeriesWaterfall', 'asyncParallel']);

export interface HookSpec {
  kind: HookKind;
  args: string[];
  /** `kernel` or the providing plugin's id. */
  owner: string;
  /** What a throwing tap contributes to a bail hook (e.g. a veto: fail closed). Default: nothing. */
  onTapErrorResult?: (error: PluginError) => unknown;
}

interface Tap {
  plugin: string;
  fn: AnyFn;
  stage: TapStage;
  active: boolean;
}

interface Entry extends HookSpec {
  taps: Tap[];
  hook: TapableHook;
}

export type TapErrorHandler = (error: PluginError) => void;

/**
 * Named hooks over tapable. tapable has no un-tap and names only the hook in errors, so every tap
 * is wrapped (errors attributed to the tapping plugin, the hook goes on) and the tapable hook is
 * rebuilt from the live taps whenever one is removed. Rebuilding recompiles (~µs): lifecycle
 * changes only, never per call.
 */
export class HookRegistry {
  private readonly hooks = new Map<string, Entry>();

  constructor(private readonly onTapError: TapErrorHandler) {}

  define(name: string, spec: HookSpec): void {
    if (this.hooks.has(name)) throw new Error(`hook ${name} is already defined`);
    this.hooks.set(name, { ...spec, taps: [], hook: new CONSTRUCTORS[spec.kind](spec.args) });
  }

  undefine(name: string): void {
    this.hooks.delete(name);
  }

  has(name: string): boolean {
    return this.hooks.has(name);
  }

  spec(name: string): HookSpec | undefined {
    return this.hooks.get(name);
  }

  list(): { name: string; kind: HookKind; owner: string; taps: { plugin: string; stage: TapStage }[] }[] {
    return [...this.hooks].map(([name, e]) => ({ name, kind: e.kind, owner: e.owner, taps: e.taps.map((t) => ({ plugin: t.plugin, stage: t.stage })) }));
  }

  tap(name: string, plugin: string, fn: AnyFn, stage: TapStage = 'normal'): Disposable {
    const entry = this.hooks.get(name);
    if (!entry) throw new PluginError('KRN_ERR_HOOK_UNKNOWN', { plugin, phase: 'hook', detail: `no hook named "${name}"` });
    const tap: Tap = { plugin, fn, stage, active: true };
    entry.taps.push(tap);
    this.addTap(name, entry, tap);
    return {
      dispose: () => {
        if (!tap.active) return;
        tap.active = false;
        entry.taps = entry.taps.filter((t) => t !== tap);
        entry.hook = new CONSTRUCTORS[entry.kind](entry.args);
        for (const t of entry.taps) this.addTap(name, entry, t);
      },
    };
  }

  private addTap(name: string, entry: Entry, tap: Tap): void {
    const fail = (e: unknown): PluginError => {
      const err = new PluginError('KRN_ERR_HOOK_FAILED', { plugin: tap.plugin, phase: 'hook', cause: e, detail: `tap on "${name}" threw: ${e instanceof Error ? e.message : String(e)}` });
      this.onTapError(err);
      return err;
    };
    const waterfall = entry.kind === 'syncWaterfall' || entry.kind === 'asyncSeriesWaterfall';
    const options = { name: tap.plugin, stage: STAGE[tap.stage] };
    if (ASYNC.has(entry.kind)) {
      entry.hook.tapPromise(options, async (...args) => {
        if (!tap.active || (waterfall && args[0] === null)) return waterfall ? args[0] : undefined;
        try {
          const r = await tap.fn(...args);
          return waterfall && r === undefined ? args[0] : r;
        } catch (e) {
          const err = fail(e);
          return waterfall ? args[0] : entry.onTapErrorResult?.(err);
        }
      });
      return;
    }
    entry.hook.tap(options, (...args) => {
      if (!tap.active || (waterfall && args[0] === null)) return waterfall ? args[0] : undefined;
      try {
        const r = tap.fn(...args);
        return waterfall && r === undefined ? args[0] : r;
      } catch (e) {
        const err = fail(e);
        return waterfall ? args[0] : entry.onTapErrorResult?.(err);
      }
    });
  }

  tapCount(name: string): number {
    return this.hooks.get(name)?.taps.length ?? 0;
  }

  /** Call a hook with its kind's semantics. Async kinds return a promise. */
  call(name: string, ...args: unknown[]): unknown {
    const entry = this.hooks.get(name);
    if (!entry) throw new PluginError('KRN_ERR_HOOK_UNKNOWN', { phase: 'hook', detail: `no hook named "${name}"` });
    if (entry.taps.length === 0) {
      const waterfall = entry.kind === 'syncWaterfall' || entry.kind === 'asyncSeriesWaterfall';
      const value = waterfall ? args[0] : undefined;
      return ASYNC.has(entry.kind) ? Promise.resolve(value) : value;
    }
    return ASYNC.has(entry.kind) ? entry.hook.promise(...args) : entry.hook.call(...args);
  }
}
