import type { Disposable, Logger } from './lifecycle.js';
import type { Principal } from './rbac.js';

/**
 * A resource an assistant can read (MCP `resources/read`): current project status, a report.
 *
 * - `uri`: a stable URI in the plugin's own scheme space, `devflow://<plugin-id>/...`.
 * - `permission`: one of the plugin's declared permissions, checked before `read` runs.
 *
 * @example
 * ```ts
 * const def: ResourceDefinition = {
 *   uri: 'devflow://admin/status', name: 'status', title: 'DevFlow status',
 *   description: 'Plugin states and ingest counters.', mimeType: 'application/json', permission: 'status:read',
 * };
 * ```
 */
export interface ResourceDefinition {
  readonly uri: string;
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly mimeType?: string;
  readonly permission: string;
}

/**
 * What reading a resource returns: text (Markdown, plain) or a JSON value (served as
 * `application/json` text).
 *
 * @example
 * ```ts
 * const r: ResourceContent = { json: { plugins: 3 } };
 * ```
 */
export type ResourceContent = { text: string } | { json: unknown };

/**
 * What a resource reader or prompt builder knows about the request.
 *
 * @example
 * ```ts
 * (call: RequestContext) => ({ text: `hello ${call.principal.id}` })
 * ```
 */
export interface RequestContext {
  readonly principal: Principal;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * One argument of a prompt template.
 *
 * @example
 * ```ts
 * const a: PromptArgument = { name: 'project', description: 'Project root path', required: false };
 * ```
 */
export interface PromptArgument {
  readonly name: string;
  readonly description?: string;
  readonly required?: boolean;
}

/**
 * A prompt template an assistant's user can pick (MCP `prompts/get`), e.g. "summarize my day".
 * `name` is snake_case like tool names.
 *
 * @example
 * ```ts
 * const p: PromptDefinition = {
 *   name: 'summarize_my_day', title: 'Summarize my day', description: 'A stand-up style summary of today.',
 *   arguments: [{ name: 'project' }], permission: 'project:read',
 * };
 * ```
 */
export interface PromptDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly arguments?: readonly PromptArgument[];
  readonly permission: string;
}

/**
 * A prompt's messages; a plain string is one user message.
 *
 * @example
 * ```ts
 * const m: PromptMessages = [{ role: 'user', text: 'Summarize what I did today from devflow_events_query.' }];
 * ```
 */
export type PromptMessages = string | readonly { role: 'user' | 'assistant'; text: string }[];

/**
 * Resource registration for one plugin; removed when the plugin stops.
 *
 * @example
 * ```ts
 * ctx.resources.register({ uri: 'devflow://admin/status', name: 'status', description: 'Kernel status.',
 *   permission: 'status:read' }, () => ({ json: ctx.kernel.status() }));
 * ```
 */
export interface PluginResources {
  register(definition: ResourceDefinition, read: (call: RequestContext) => ResourceContent | Promise<ResourceContent>): Disposable;
}

/**
 * Prompt registration for one plugin; removed when the plugin stops.
 *
 * @example
 * ```ts
 * ctx.prompts.register({ name: 'summarize_my_day', description: 'Summarize today.', permission: 'project:read' },
 *   () => 'Use devflow_status and devflow_events_query with since "24h" to summarize my day.');
 * ```
 */
export interface PluginPrompts {
  register(definition: PromptDefinition, build: (args: Readonly<Record<string, string>>, call: RequestContext) => PromptMessages | Promise<PromptMessages>): Disposable;
}
