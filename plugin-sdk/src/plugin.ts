import type { PluginContext } from './context.js';
import type { FromSchema, JsonSchemaObject } from './schema.js';
import type { Migration } from './storage.js';

/**
 * Marks objects made by {@link definePlugin}. A registered symbol (`Symbol.for`), so definitions
 * made with another copy of the SDK are recognized too; prefer {@link isPluginDefinition}.
 *
 * @example
 * ```ts
 * const branded = (mod.default as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
 * ```
 */
export const PLUGIN_BRAND: unique symbol = Symbol.for('devflow.plugin-definition') as never;

/**
 * A plugin: static data the kernel checks before anything starts, plus `start`.
 *
 * @example
 * ```ts
 * const def: PluginDefinition<{ type: 'object' }, void> = {
 *   id: 'noop', version: '1.0.0', kernel: '^1.0.0', start() {},
 * };
 * ```
 */
export interface PluginDefinition<S extends JsonSchemaObject = JsonSchemaObject, Api = unknown> {
  /** kebab-case, unique among loaded plugins; events and tables are namespaced by it. */
  readonly id: string;
  /** The plugin's own semver version. */
  readonly version: string;
  /** Semver range of kernel versions it works with, e.g. `^1.0.0`. */
  readonly kernel: string;
  readonly description?: string;
  /** Plugins that must be started first: id → semver range. */
  readonly dependencies?: Readonly<Record<string, string>>;
  /** Used when present and started first; their absence does not stop this plugin. */
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  /** Every permission (`<resource>:<action>`) its tools and routes use. */
  readonly permissions?: readonly string[];
  /** JSON Schema of its config; defaults are applied and the result is frozen. */
  readonly config?: S;
  /** Runs only in the process that holds the monitor lease (monitors set this). */
  readonly needsLease?: boolean;
  /** How long `start` may take before it is treated as failed (default 10 s). */
  readonly startTimeoutMs?: number;
  /** Versioned migrations for its own tables, applied before `start`. */
  readonly migrations?: readonly Migration[];
  /** Start the plugin; what it returns is the API its dependents get through `ctx.use`. */
  start(ctx: PluginContext<FromSchema<S>>): Api | Promise<Api>;
  /** Optional: stop work the kernel does not know about. Registrations are disposed after it. */
  stop?(ctx: PluginContext<FromSchema<S>>): void | Promise<void>;
}

/**
 * Any plugin definition, whatever its config and API types.
 *
 * @example
 * ```ts
 * const plugins: AnyPluginDefinition[] = [gitMonitor, churn];
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPluginDefinition = PluginDefinition<any, any>;

/**
 * The API type a plugin's `start` resolves to; what `ctx.use(plugin)` returns.
 *
 * @example
 * ```ts
 * type GitApi = PluginApi<typeof gitMonitor>;
 * ```
 */
export type PluginApi<P> = P extends PluginDefinition<infer _S, infer A> ? Awaited<A> : unknown;

/**
 * The config type of a plugin, inferred from its schema.
 *
 * @example
 * ```ts
 * type ChurnConfig = PluginConfig<typeof churn>; // { windowDays: number }
 * ```
 */
export type PluginConfig<P> = P extends PluginDefinition<infer S, infer _A> ? FromSchema<S> : never;

/**
 * Define a plugin. Returns the same object, typed (config inferred from the schema, API from
 * `start`) and branded so the kernel recognizes it. Nothing runs until a kernel loads it.
 *
 * @example
 * ```ts
 * export default definePlugin({
 *   id: 'hello', version: '1.0.0', kernel: '^1.0.0',
 *   permissions: ['hello:read'],
 *   config: { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } },
 *             additionalProperties: false },
 *   start(ctx) {
 *     ctx.tools.register({ name: 'hello_greet', description: 'Greets someone by name.',
 *       permission: 'hello:read', inputSchema: { type: 'object', properties: { name: { type: 'string' } },
 *       required: ['name'] } }, ({ name }) => ({ text: `${ctx.config.greeting} ${name}` }));
 *     return { greet: (name: string) => `${ctx.config.greeting} ${name}` };
 *   },
 * });
 * ```
 */
export function definePlugin<const S extends JsonSchemaObject = { type: 'object' }, Api = void>(
  definition: PluginDefinition<S, Api>,
): PluginDefinition<S, Api> {
  Object.defineProperty(definition, PLUGIN_BRAND, { value: true, enumerable: false });
  return definition;
}

/**
 * True for objects made by {@link definePlugin} (by any copy of the SDK).
 *
 * @example
 * ```ts
 * if (!isPluginDefinition(mod.default)) throw new Error('not a plugin');
 * ```
 */
export function isPluginDefinition(value: unknown): value is AnyPluginDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
