import type { Disposable, Logger } from './lifecycle.js';
import type { Principal } from './rbac.js';
import type { FromSchema, JsonSchemaObject } from './schema.js';

/**
 * Hints for clients about what a tool does (the MCP tool annotations).
 *
 * @example
 * ```ts
 * const a: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
 * ```
 */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/**
 * A tool an AI assistant (or the CLI, or an HTTP route) can call.
 *
 * - `name`: snake_case, at most 64 characters, prefixed by its area (`git_recent_commits`).
 * - `permission`: one of the permissions the plugin declared; checked against the caller's role
 *   before the handler runs.
 * - `inputSchema`: arguments are validated against it before the handler runs (defaults applied).
 * - `outputSchema`: describes the structured result the handler returns.
 * - `group`: the group it belongs to, for tool profiles (`devflow mcp --profile`, `--tools`);
 *   defaults to the plugin id.
 * - `everyday`: part of the compact default profile MCP clients see unless they ask for more. Keep
 *   it for tools that answer everyday questions; the default profile holds at most 15 tools.
 * - `timeoutMs`: how long a call may run before it is cancelled and answered with an error
 *   (default 30 s).
 * - `render`: the text the model reads next to `structuredContent`: compact lines rather than
 *   the JSON again (most clients show the model only the text, and every byte costs context).
 *   Defaults to the JSON. A renderer that throws falls back to the JSON.
 *
 * @example
 * ```ts
 * const def = {
 *   name: 'hello_greet', description: 'Greets someone by name.', permission: 'hello:read',
 *   inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
 *   annotations: { readOnlyHint: true },
 * } as const satisfies ToolDefinition;
 * ```
 */
export interface ToolDefinition<I extends JsonSchemaObject = JsonSchemaObject, O extends JsonSchemaObject = JsonSchemaObject> {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: I;
  readonly outputSchema?: O;
  readonly permission: string;
  readonly annotations?: ToolAnnotations;
  readonly group?: string;
  readonly everyday?: boolean;
  readonly timeoutMs?: number;
  render?(output: JsonSchemaObject extends O ? unknown : FromSchema<O, true>): string;
}

/**
 * A progress report from a long-running tool (sent as MCP progress notifications).
 *
 * @example
 * ```ts
 * call.progress({ progress: 40, total: 100, message: 'imported 40 of 100 commits' });
 * ```
 */
export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

/**
 * What a tool handler knows about the call: who calls, a signal aborted when the caller cancels
 * or the plugin stops, a progress reporter and a logger tagged with the tool.
 *
 * @example
 * ```ts
 * async (args, call) => { for (const x of items) { if (call.signal.aborted) break; … } }
 * ```
 */
export interface ToolCallContext {
  readonly principal: Principal;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  progress(update: ToolProgress): void;
}

/**
 * A tool's implementation: gets validated arguments, returns a JSON-serializable result (the
 * `structuredContent`) or throws; a throw becomes an error result (`isError`), never a crash.
 *
 * @example
 * ```ts
 * const handler: ToolHandler<{ name: string }, { greeting: string }> = ({ name }) => ({ greeting: `hi ${name}` });
 * ```
 */
export type ToolHandler<A = Record<string, unknown>, R = unknown> = (args: A, call: ToolCallContext) => R | Promise<R>;

/**
 * Tool registration for one plugin. The kernel owns the registration: it is removed when the
 * plugin stops. Registering a name another plugin already has throws `KRN_ERR_TOOL_DUPLICATE`;
 * naming a permission the plugin did not declare throws `KRN_ERR_PERMISSION_UNDECLARED`.
 *
 * @example
 * ```ts
 * ctx.tools.register(
 *   { name: 'hello_greet', description: 'Greets someone.', permission: 'hello:read',
 *     inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } as const,
 *   ({ name }) => ({ greeting: `hello ${name}` }),
 * );
 * ```
 */
export interface PluginTools {
  register<const I extends JsonSchemaObject, const O extends JsonSchemaObject>(
    definition: ToolDefinition<I, O>,
    handler: ToolHandler<FromSchema<I>, JsonSchemaObject extends O ? unknown : FromSchema<O, true>>,
  ): Disposable;
}
