import type { DevflowEvent, StoredEvent } from './events.js';
import type { Disposable } from './lifecycle.js';
import type { Principal } from './rbac.js';

/**
 * The kinds of hook, named after tapable's classes. `sync*` hooks are called synchronously;
 * `async*` hooks await each tap (`Series`) or all at once (`Parallel`). `Waterfall` passes each
 * tap's return value to the next; `Bail` stops at the first tap that returns something other than
 * `undefined`.
 *
 * @example
 * ```ts
 * const hook = ctx.hooks.provide<[commit: Commit], void>('commitParsed', 'asyncSeries');
 * ```
 */
export type HookKind =
  | 'sync'
  | 'syncWaterfall'
  | 'syncBail'
  | 'asyncSeries'
  | 'asyncSeriesBail'
  | 'asyncSeriesWaterfall'
  | 'asyncParallel';

/**
 * Where a tap runs among the taps of one hook: all `pre` taps, then `normal`, then `post`; within
 * a stage, in the order the plugins started.
 *
 * @example
 * ```ts
 * ctx.hooks.tap('eventBeforeStore', redact, { stage: 'pre' });
 * ```
 */
export type TapStage = 'pre' | 'normal' | 'post';

/**
 * An event on its way into the log, as `eventBeforeStore` taps see it (it has no `seq` yet).
 *
 * @example
 * ```ts
 * const redact = (e: DraftEvent) => ({ ...e, data: { ...e.data, path: hash(String(e.data.path)) } });
 * ```
 */
export type DraftEvent = DevflowEvent;

/**
 * A tool call as the tool-call hooks see it.
 *
 * @example
 * ```ts
 * ctx.hooks.tap('beforeToolCall', (call: ToolCallInfo) => call.tool === 'x' ? { veto: 'disabled' } : undefined);
 * ```
 */
export interface ToolCallInfo {
  readonly tool: string;
  readonly plugin: string;
  readonly principal: Principal;
  readonly args: Readonly<Record<string, unknown>>;
}

/**
 * What a `beforeToolCall` tap may answer: veto the call (the caller gets an error with the
 * reason) or answer it itself (e.g. from a cache). Returning `undefined` lets the call proceed.
 *
 * @example
 * ```ts
 * const d: ToolCallDecision = { veto: 'tool disabled by policy' };
 * ```
 */
export type ToolCallDecision = { veto: string } | { result: unknown };

/**
 * The outcome of a tool call, as `afterToolCall` taps see it.
 *
 * @example
 * ```ts
 * ctx.hooks.tap('afterToolCall', (call, out: ToolCallOutcome) => { if (!out.ok) failures++; });
 * ```
 */
export interface ToolCallOutcome {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * What lifecycle hooks receive about a plugin.
 *
 * @example
 * ```ts
 * ctx.hooks.tap('pluginStarted', (p: PluginInfo) => ctx.logger.info({ started: p.id }));
 * ```
 */
export interface PluginInfo {
  readonly id: string;
  readonly version: string;
}

/**
 * The kernel's hooks, with the signature a tap implements. See `docs/hooks.md` for each one's
 * kind and error handling.
 *
 * @example
 * ```ts
 * ctx.hooks.tap('eventBeforeStore', (e) => (e.type.endsWith('.noise') ? null : e));
 * ```
 */
export interface KernelHookMap {
  /** syncWaterfall. Enrich, redact (return a changed event) or drop (return `null`) an event. */
  eventBeforeStore: (event: DraftEvent) => DraftEvent | null;
  /** sync. Called once a batch of events has been committed to the log. */
  eventStored: (events: readonly StoredEvent[]) => void;
  /** asyncSeriesBail. Veto a tool call or answer it; `undefined` lets it proceed. */
  beforeToolCall: (call: ToolCallInfo) => ToolCallDecision | undefined | Promise<ToolCallDecision | undefined>;
  /** asyncSeries. Called after every tool call with its outcome (for audit and metrics). */
  afterToolCall: (call: ToolCallInfo, outcome: ToolCallOutcome) => void | Promise<void>;
  /** sync. A plugin has started. */
  pluginStarted: (plugin: PluginInfo) => void;
  /** sync. A plugin has stopped. */
  pluginStopped: (plugin: PluginInfo) => void;
  /** asyncSeries. The kernel is about to stop all plugins. */
  beforeShutdown: () => void | Promise<void>;
}

/**
 * A hook a plugin provides for its dependents, named `<plugin-id>.<name>`.
 *
 * @example
 * ```ts
 * const parsed = ctx.hooks.provide<[Commit], Commit>('commitParsed', 'syncWaterfall');
 * const commit = parsed.call(raw);
 * ```
 */
export interface ProvidedHook<A extends unknown[], R> {
  readonly name: string;
  readonly kind: HookKind;
  /** Call the taps with the hook's semantics; async kinds return a promise. */
  call(...args: A): R | Promise<R>;
}

/**
 * Hooks for one plugin: tap the kernel's hooks and the hooks of declared dependencies, provide
 * its own. Every tap is owned by the kernel and goes quiet when the plugin stops; a tap that
 * throws is logged against the plugin (`KRN_ERR_HOOK_FAILED`) and the hook goes on without it.
 *
 * @example
 * ```ts
 * ctx.hooks.tap('eventBeforeStore', (e) => e, { stage: 'pre' });
 * ctx.hooks.tap('git-monitor.commitParsed', (c) => ({ ...c, team: 'core' }));
 * ```
 */
export interface PluginHooks {
  tap<K extends keyof KernelHookMap>(name: K, fn: KernelHookMap[K], options?: { stage?: TapStage }): Disposable;
  tap(name: string, fn: (...args: never[]) => unknown, options?: { stage?: TapStage }): Disposable;
  provide<A extends unknown[] = unknown[], R = unknown>(name: string, kind: HookKind): ProvidedHook<A, R>;
}
