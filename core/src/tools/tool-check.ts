import type { ToolDefinition } from '@devflow/plugin-sdk';
import { PluginError } from '../errors.js';
import type { SchemaValidator } from '../validator.js';

export const TOOL_NAME_RE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const ANNOTATIONS = new Set(['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

/** Reject a tool definition a client could not use, naming the plugin and what to change. */
export function checkToolDefinition(
  owner: { id: string; permissions: ReadonlySet<string> },
  def: ToolDefinition,
  validator: SchemaValidator,
  existingOwner: string | undefined,
): void {
  const invalid = (detail: string) => new PluginError('KRN_ERR_TOOL_INVALID', { plugin: owner.id, phase: 'start', detail: `tool "${String(def?.name)}": ${detail}` });
  if (!def || typeof def !== 'object') throw invalid('definition must be an object');
  if (typeof def.name !== 'string' || !TOOL_NAME_RE.test(def.name) || def.name.length > 64) {
    throw invalid('name must be snake_case, start with a letter and be at most 64 characters (e.g. git_recent_commits)');
  }
  if (typeof def.description !== 'string' || def.description.trim().length < 10) {
    throw invalid('description must say what the tool does and when to use it (at least 10 characters)');
  }
  if (!def.inputSchema || typeof def.inputSchema !== 'object' || def.inputSchema.type !== 'object') {
    throw invalid('inputSchema must be a JSON Schema with type "object"');
  }
  for (const [key, schema] of [['inputSchema', def.inputSchema], ['outputSchema', def.outputSchema]] as const) {
    if (schema === undefined) continue;
    if (key === 'outputSchema' && schema.type !== 'object') throw invalid('outputSchema must be a JSON Schema with type "object"');
    const problem = validator.checkSchema(schema);
    if (problem) throw invalid(`${key} is not a valid JSON Schema: ${problem}`);
  }
  for (const k of Object.keys(def.annotations ?? {})) {
    if (!ANNOTATIONS.has(k)) throw invalid(`unknown annotation "${k}" (use readOnlyHint, destructiveHint, idempotentHint, openWorldHint)`);
  }
  if (def.group !== undefined && (typeof def.group !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(def.group))) throw invalid('group must be a lower-case name (e.g. "git")');
  if (def.everyday !== undefined && typeof def.everyday !== 'boolean') throw invalid('everyday must be a boolean');
  if (def.timeoutMs !== undefined && !(Number.isInteger(def.timeoutMs) && def.timeoutMs > 0)) throw invalid('timeoutMs must be a positive integer');
  if (!owner.permissions.has(def.permission)) {
    throw new PluginError('KRN_ERR_PERMISSION_UNDECLARED', {
      plugin: owner.id,
      phase: 'start',
      detail: `tool "${def.name}" needs permission "${String(def.permission)}", which the plugin does not declare; add it to the plugin's permissions`,
    });
  }
  if (existingOwner !== undefined) {
    throw new PluginError('KRN_ERR_TOOL_DUPLICATE', {
      plugin: owner.id,
      phase: 'start',
      detail: `tool "${def.name}" is already registered by plugin "${existingOwner}"; prefix tool names with the plugin's area`,
    });
  }
}
