/**
 * The DevFlow kernel. Plugins do not import this package (they import `@devflow/plugin-sdk`);
 * hosts (the CLI, servers, tests) do.
 */
export { Kernel, ConfigError, type KernelOptions } from './kernel.js';
export { KERNEL_VERSION } from './version.js';
export { ERROR_CODES, PluginError, isPluginError, type ErrorCode, type Phase } from './errors.js';
export { DEFAULT_ROLES, Rbac } from './rbac/rbac.js';
export { KERNEL_HOOKS } from './hooks/kernel-hooks.js';
export { KERNEL_CONFIG_SCHEMA, type KernelConfig, type KernelConfigInput } from './config/schema.js';
export { loadConfig, type LoadedConfig } from './config/load.js';
export { editConfigFile, writeFileAtomic } from './config/edit.js';
export { devflowPaths, findConfigFile } from './config/paths.js';
export { FIRST_PARTY, DEFAULT_ENABLED } from './plugins/first-party.js';
export type { ReconcileReport } from './plugins/supervisor.js';
export type { ToolResult, ToolInfo, CallOptions } from './tools/tool-registry.js';
export type { AuditRecord, AuditQuery } from './storage/audit.js';
export { formatReport } from './report.js';
