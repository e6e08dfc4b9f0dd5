/**
 * The kernel's error codes. Every one is explained in docs/errors.md (a test checks this).
 * The message is the default human line; call sites add detail.
 */
export const ERROR_CODES = {
  KRN_ERR_PLUGIN_INVALID: 'not a valid plugin definition',
  KRN_ERR_PLUGIN_NOT_FOUND: 'plugin entry resolves to no package or file',
  KRN_ERR_PLUGIN_LOAD: 'plugin module failed to load',
  KRN_ERR_PLUGIN_DUPLICATE: 'another plugin has the same id',
  KRN_ERR_KERNEL_VERSION: 'plugin does not support this kernel version',
  KRN_ERR_DEPENDENCY_MISSING: 'a required dependency is not configured or not enabled',
  KRN_ERR_DEPENDENCY_VERSION: 'a dependency version does not satisfy the required range',
  KRN_ERR_DEPENDENCY_CYCLE: 'plugins depend on each other in a cycle',
  KRN_ERR_DEPENDENCY_FAILED: 'a dependency did not start',
  KRN_ERR_UNDECLARED_DEPENDENCY: 'plugin used a plugin it did not declare as a dependency',
  KRN_ERR_CONFIG_SYNTAX: 'config file is not valid JSON',
  KRN_ERR_CONFIG_INVALID: 'config value is invalid',
  KRN_ERR_CONFIG_NOT_FOUND: 'config file does not exist',
  KRN_ERR_CONFIG_UNREADABLE: 'config file cannot be read',
  KRN_ERR_START_FAILED: 'plugin threw while starting',
  KRN_ERR_START_TIMEOUT: 'plugin did not finish starting in time',
  KRN_ERR_STOP_FAILED: 'plugin failed while stopping',
  KRN_ERR_HOOK_FAILED: 'a hook tap threw',
  KRN_ERR_HOOK_UNKNOWN: 'no such hook',
  KRN_ERR_EVENT_HANDLER_FAILED: 'an event listener threw',
  KRN_ERR_EVENT_NAMESPACE: 'plugin emitted an event outside its namespace',
  KRN_ERR_EVENT_INVALID: 'event is malformed',
  KRN_ERR_TOOL_INVALID: 'tool definition is invalid',
  KRN_ERR_TOOL_DUPLICATE: 'a tool with that name is already registered',
  KRN_ERR_TOOL_NOT_FOUND: 'no such tool',
  KRN_ERR_TOOL_INPUT: 'tool arguments do not match its input schema',
  KRN_ERR_TOOL_FAILED: 'tool handler threw',
  KRN_ERR_TOOL_TIMEOUT: 'tool handler did not answer in time',
  KRN_ERR_TOOL_VETOED: 'a beforeToolCall hook vetoed the call',
  KRN_ERR_PERMISSION_UNDECLARED: 'plugin used a permission it did not declare',
  KRN_ERR_FORBIDDEN: 'the caller lacks the permission',
  KRN_ERR_STORAGE: 'database error',
  KRN_ERR_STORAGE_NOT_SQLITE: 'database file is not an SQLite database',
  KRN_ERR_STORAGE_READONLY: 'database file or directory is read-only',
  KRN_ERR_MIGRATION_FAILED: 'a plugin migration failed',
  KRN_ERR_MIGRATION_PREFIX: 'a migration created objects outside the plugin table prefix',
  KRN_ERR_PROJECTION_INVALID: 'a projection definition is malformed',
  KRN_ERR_PROJECTION_FAILED: 'a projection threw while folding events',
  KRN_ERR_LEASE: 'lease operation failed',
  KRN_ERR_SCHEDULER_FAILED: 'a scheduled callback threw',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Lifecycle phase or boundary where an error happened. */
export type Phase =
  | 'load'
  | 'check'
  | 'config'
  | 'migrate'
  | 'start'
  | 'stop'
  | 'hook'
  | 'event'
  | 'tool'
  | 'storage'
  | 'projection'
  | 'schedule'
  | 'lease';

export interface KernelErrorOptions {
  plugin?: string | undefined;
  phase?: Phase | undefined;
  detail?: string | undefined;
  cause?: unknown;
  /** Extra machine-readable data (e.g. the cycle path, a JSON path). */
  data?: Record<string, unknown> | undefined;
}

/**
 * Every error the kernel raises or attributes: a code from ERROR_CODES, the plugin it concerns,
 * the phase, a human detail and the underlying cause.
 */
export class PluginError extends Error {
  readonly code: ErrorCode;
  readonly plugin: string | undefined;
  readonly phase: Phase | undefined;
  readonly detail: string;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: KernelErrorOptions = {}) {
    const detail = options.detail ?? ERROR_CODES[code];
    super(`${options.plugin ? `[${options.plugin}] ` : ''}${code}: ${detail}`, { cause: options.cause });
    this.name = 'PluginError';
    this.code = code;
    this.plugin = options.plugin;
    this.phase = options.phase;
    this.detail = detail;
    this.data = options.data;
  }

  /** One line for a person: `[plugin] CODE: detail`. */
  toLine(): string {
    return this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, plugin: this.plugin, phase: this.phase, detail: this.detail, ...(this.data ? { data: this.data } : {}) };
  }
}

export function isPluginError(value: unknown): value is PluginError {
  return value instanceof PluginError;
}

/** A short message for any thrown value, for details and logs. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** Wrap anything thrown at a plugin boundary, keeping a PluginError's own code. */
export function attribute(error: unknown, code: ErrorCode, plugin: string, phase: Phase, detail?: string): PluginError {
  if (error instanceof PluginError && error.plugin) return error;
  if (error instanceof PluginError) {
    return new PluginError(error.code, { plugin, phase, detail: error.detail, cause: error.cause, data: error.data });
  }
  return new PluginError(code, { plugin, phase, detail: detail ?? messageOf(error), cause: error });
}
