import type { PluginState } from './lifecycle.js';
import type { ProjectionStatus } from './projections.js';
import type { Principal } from './rbac.js';

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
  /** Every registered projection: how far it is behind the log (`lag` events), and its state. */
  readonly projections: readonly (ProjectionStatus & { readonly plugin: string })[];
}

/**
 * One row of the security audit log: who did what, to what, and how it ended.
 *
 * @example
 * ```ts
 * const denied = ctx.kernel.auditLog({ outcome: 'denied', limit: 20 }).map((r: AuditRow) => r.target);
 * ```
 */
export interface AuditRow {
  readonly seq: number;
  readonly ts: number;
  readonly principal: string;
  readonly role?: string | undefined;
  readonly action: string;
  readonly target?: string | undefined;
  readonly outcome: 'ok' | 'error' | 'denied' | 'vetoed';
  readonly durationMs?: number | undefined;
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Filters for {@link KernelView.auditLog}: newest first, paged with `after` (the last `seq` seen).
 *
 * @example
 * ```ts
 * const q: AuditFilter = { principal: 'local:alice', since: Date.now() - 864e5, limit: 50 };
 * ```
 */
export interface AuditFilter {
  principal?: string;
  action?: string;
  outcome?: AuditRow['outcome'];
  since?: number;
  after?: number;
  limit?: number;
}

/**
 * What changed when a plugin was enabled or disabled.
 *
 * @example
 * ```ts
 * const r: PluginChange = await ctx.kernel.setPluginEnabled('git-monitor', false, call.principal);
 * ```
 */
export interface PluginChange {
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  /** Problem lines (`[plugin] CODE: detail`) after the change. */
  readonly problems: readonly string[];
}

/**
 * The outcome of {@link KernelView.callTool}: the tool's value, or an error with its code.
 *
 * @example
 * ```ts
 * const r = await ctx.kernel.callTool('metrics_summary', { period: 'week' }, principal);
 * if (!r.ok) reply(r.error.code === 'KRN_ERR_FORBIDDEN' ? 403 : 400, r.error.message);
 * ```
 */
export type ToolCallResult =
  | { readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string; readonly plugin?: string; readonly issues?: readonly { path: string; message: string }[] };
      readonly durationMs: number;
    };

/**
 * A tool as listed for a caller: its definition without the handler, and the plugin it belongs to.
 *
 * @example
 * ```ts
 * const mine = ctx.kernel.tools(principal).filter((t) => t.group === 'metrics');
 * ```
 */
export interface ToolListing {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly plugin: string;
  readonly group?: string;
  readonly everyday?: boolean;
  readonly permission: string;
  readonly inputSchema: object;
  readonly outputSchema?: object;
  readonly annotations?: object;
}

/**
 * What a plugin may see and do of the kernel itself (for status, admin tool packs and servers).
 * The admin operations need the plugin to declare the matching permission: `audit:read` for
 * `auditLog`, `plugins:manage` for `setPluginEnabled`, `tools:call` for `callTool` and `tools`
 * (else `KRN_ERR_PERMISSION_UNDECLARED`). `callTool` runs the whole tool path (RBAC for the given
 * principal, validation, hooks, audit), exactly as an MCP call would; for the others the
 * caller's own permission is checked by the tool that calls them.
 *
 * @example
 * ```ts
 * ctx.tools.register({ name: 'devflow_status', … }, () => ctx.kernel.status());
 * ```
 */
export interface KernelView {
  status(): KernelStatus;
  auditLog(filter?: AuditFilter): readonly AuditRow[];
  /** Enable or disable a plugin as the config file would (the file is edited when there is one). */
  setPluginEnabled(plugin: string, enabled: boolean, by: Principal): Promise<PluginChange>;
  /** Call any tool as `principal` through the kernel's tool path (a server exposing tools over HTTP). */
  callTool(name: string, args: unknown, principal: Principal, options?: { signal?: AbortSignal }): Promise<ToolCallResult>;
  /** The tools `principal` may call. */
  tools(principal: Principal): readonly ToolListing[];
}
