import type { PluginEvents } from './events.js';
import type { PluginHooks } from './hooks.js';
import type { Disposable, Logger, PluginLease, PluginScheduler } from './lifecycle.js';
import type { AnyPluginDefinition, PluginApi } from './plugin.js';
import type { PluginRbac } from './rbac.js';
import type { PluginPrompts, PluginResources } from './resources.js';
import type { KernelView } from './status.js';
import type { PluginStorage } from './storage.js';
import type { PluginTools } from './tools.js';

/**
 * Everything a plugin gets from the kernel, scoped to it. The kernel owns every registration made
 * through it (listeners, taps, tools, timers, `onStop` callbacks) and disposes them when the
 * plugin stops, so a plugin needs no cleanup code of its own for those.
 *
 * @example
 * ```ts
 * async start(ctx) {
 *   ctx.logger.info({ projects: ctx.projects.length }, 'watching');
 *   const watcher = watch(ctx.projects);
 *   ctx.onStop(() => watcher.close());
 * }
 * ```
 */
export interface PluginContext<C = Record<string, unknown>> {
  /** The plugin's id. */
  readonly id: string;
  readonly version: string;
  /** The running kernel's version. */
  readonly kernelVersion: string;
  /** The plugin's config: validated against its schema, defaults applied, frozen. */
  readonly config: Readonly<C>;
  /** The project roots the user configured (absolute paths). */
  readonly projects: readonly string[];
  /**
   * DevFlow's directories: `configDir` (the user config; secrets a plugin creates for the user,
   * such as an API token, belong here with owner-only permissions) and `dataDir` (the database).
   * A plugin's own files go in `ctx.storage.dataDir`.
   */
  readonly paths: { readonly configDir: string; readonly dataDir: string };
  readonly logger: Logger;
  /** Aborted when the plugin starts stopping; pass it to long work. */
  readonly signal: AbortSignal;
  readonly events: PluginEvents;
  readonly hooks: PluginHooks;
  readonly storage: PluginStorage;
  readonly tools: PluginTools;
  /** Resources assistants can read (MCP resources). */
  readonly resources: PluginResources;
  /** Prompt templates assistants can offer (MCP prompts). */
  readonly prompts: PluginPrompts;
  readonly scheduler: PluginScheduler;
  /** The monitor lease: run watchers only in the one process that holds it. */
  readonly lease: PluginLease;
  readonly rbac: PluginRbac;
  /** A read-only view of the kernel: plugin states, database and ingest numbers. */
  readonly kernel: KernelView;
  /**
   * The public API of a declared dependency (what its `start` returned). Throws
   * `KRN_ERR_UNDECLARED_DEPENDENCY` for a plugin not in `dependencies`/`optionalDependencies`;
   * returns `undefined` for an optional dependency that is not running.
   */
  use<P extends AnyPluginDefinition>(plugin: P): PluginApi<P>;
  use<P extends AnyPluginDefinition>(plugin: P, options: { optional: true }): PluginApi<P> | undefined;
  use(pluginId: string, options?: { optional?: boolean }): unknown;
  /** Run `fn` (or dispose `d`) when the plugin stops; last registered runs first. */
  onStop(fnOrDisposable: (() => void | Promise<void>) | Disposable): Disposable;
  /** Register in-flight work the kernel awaits (with a bound) before it disposes the plugin. */
  track<T>(work: Promise<T>): Promise<T>;
}
