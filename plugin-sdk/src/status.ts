import type { PluginState } from './lifecycle.js';

/**
 * One plugin as the kernel sees it: state and, when it is not running, why.
 *
 * @example
 * ```ts
 * const failed = ctx.kernel.status().plugins.filter((p: PluginStatus) => p.state === 'failed');
 * ```
 */
export interface PluginStatus {
  readonly id: string;
  /** The config entry it came from (id, package name or path). */
  readonly entry: string;
  readonly version: string | null;
  readonly state: PluginState;
  /** Why it is failed, skipped, standby or disabled: `CODE: detail`. */
  readonly reason: string | null;
  readonly code: string | null;
  /** The last error attributed to it while running (a listener, hook or timer that threw). */
  readonly lastError: string | null;
  readonly startedAt: number | null;
  readonly needsLease: boolean;
  readonly tools: readonly string[];
}

/**
 * A read-only view of the running kernel.
 *
 * @example
 * ```ts
 * const s: KernelStatus = ctx.kernel.status();
 * ctx.logger.info({ events: s.database.events, plugins: s.plugins.length });
 * ```
 */
export interface KernelStatus {
  readonly version: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly uptimeMs: number;
  readonly configFile: string | null;
  readonly projects: readonly string[];
  readonly database: { readonly path: string; readonly events: number; readonly sizeBytes: number | null };
  readonly ingest: { readonly appended: number; readonly committed: number; readonly pending: number; readonly dropped: number; readonly failures: number };
  readonly lease: { readonly held: boolean; readonly holder: string | null; readonly expiresAt: number | null };
  readonly plugins: readonly PluginStatus[];
}

/**
 * What a plugin may see of the kernel itself (for status and admin tool packs).
 *
 * @example
 * ```ts
 * ctx.tools.register({ name: 'devflow_status', … }, () => ctx.kernel.status());
 * ```
 */
export interface KernelView {
  status(): KernelStatus;
}
