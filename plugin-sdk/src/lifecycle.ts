/**
 * Something that can be undone: a listener, a tap, a tool, a timer, a watcher. Everything a plugin
 * registers through its context is a Disposable owned by the kernel and disposed when the plugin
 * stops; plugins may dispose earlier themselves.
 *
 * @example
 * ```ts
 * const sub = ctx.events.on('*', () => {});
 * sub.dispose(); // stop listening before the plugin stops
 * ```
 */
export interface Disposable {
  dispose(): void;
}

/**
 * The states a plugin moves through. `failed` (its start threw or timed out, or its definition or
 * config is invalid, a dependency is missing, out of range or in a cycle) and `skipped` (a plugin it
 * depends on cannot start) are side states,
 * each with a reason; `standby` means it waits for the monitor lease another process holds.
 *
 * @example
 * ```ts
 * const live: PluginState[] = ['started'];
 * ```
 */
export type PluginState =
  | 'registered'
  | 'resolved'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'skipped'
  | 'standby'
  | 'disabled';

/**
 * A pino-compatible structured logger, already tagged with the plugin id. It writes to stderr or
 * a file, never stdout (stdout belongs to the MCP stdio protocol).
 *
 * @example
 * ```ts
 * ctx.logger.info({ files: 3 }, 'scan finished');
 * ctx.logger.error({ err }, 'could not read .gitignore');
 * ```
 */
export interface Logger {
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  fatal(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * Timers that stop with the plugin. A callback that throws is logged against the plugin; a
 * repeating callback never overlaps itself (a tick is skipped while the previous one still runs),
 * and the kernel awaits a running tick before the plugin's resources are disposed.
 *
 * @example
 * ```ts
 * ctx.scheduler.every(60_000, async () => { await rollup.refresh(); });
 * ```
 */
export interface PluginScheduler {
  every(intervalMs: number, fn: () => void | Promise<void>, options?: { immediate?: boolean }): Disposable;
  after(delayMs: number, fn: () => void | Promise<void>): Disposable;
}

/**
 * The monitor lease as one plugin sees it. Only one process per database holds it; watchers and
 * other work that must not run twice belong under `whileHeld`, while tools and queries run in
 * every process. (A plugin that is all monitor can set `needsLease: true` instead.)
 *
 * @example
 * ```ts
 * ctx.lease.whileHeld((signal) => {
 *   const watcher = startWatching(ctx.projects, signal);
 *   return () => watcher.close();
 * });
 * ```
 */
export interface PluginLease {
  /** True while this process holds the lease. */
  readonly held: boolean;
  /**
   * Run `start` whenever this process holds the lease (now, or when it takes over). What it
   * returns (a function or a Disposable) is undone, and `signal` aborted, when the lease is lost
   * or the plugin stops.
   */
  whileHeld(start: (signal: AbortSignal) => void | Disposable | (() => void | Promise<void>) | Promise<void | Disposable | (() => void | Promise<void>)>): Disposable;
}
