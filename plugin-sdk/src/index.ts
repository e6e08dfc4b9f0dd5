/**
 * The DevFlow plugin contract. Plugins import only this package (and the public APIs of the
 * plugins they declare as dependencies). It has no runtime dependencies.
 *
 * @packageDocumentation
 */
export { definePlugin, isPluginDefinition, PLUGIN_BRAND } from './plugin.js';
export type { AnyPluginDefinition, PluginApi, PluginConfig, PluginDefinition } from './plugin.js';
export type { PluginContext } from './context.js';
export type {
  DevflowEvent,
  DevflowEventMap,
  EmitOptions,
  EventData,
  EventListener,
  EventLogReader,
  EventPage,
  EventQuery,
  PluginEvents,
  Severity,
  StoredEvent,
} from './events.js';
export type {
  DraftEvent,
  HookKind,
  KernelHookMap,
  PluginHooks,
  PluginInfo,
  ProvidedHook,
  TapStage,
  ToolCallDecision,
  ToolCallInfo,
  ToolCallOutcome,
} from './hooks.js';
export type { Disposable, Logger, PluginLease, PluginScheduler, PluginState } from './lifecycle.js';
export type { PluginRbac, Principal, Role } from './rbac.js';
export type { FromSchema, JsonSchema, JsonSchemaObject, JsonTypeName } from './schema.js';
export type { Migration, PluginStorage, SqlDatabase, SqlRunResult, SqlStatement } from './storage.js';
export type { PluginTools, ToolAnnotations, ToolCallContext, ToolDefinition, ToolHandler, ToolProgress } from './tools.js';
export type { AuditFilter, AuditRow, KernelStatus, KernelView, PluginChange, PluginStatus, ToolCallResult, ToolListing } from './status.js';
export type {
  PluginPrompts,
  PluginResources,
  PromptArgument,
  PromptDefinition,
  PromptMessages,
  RequestContext,
  ResourceContent,
  ResourceDefinition,
} from './resources.js';
export type { ProjectionDefinition, ProjectionHandle, ProjectionStatus, ProjectionTx } from './projections.js';
export { parseSince } from './time.js';
