import type { AnyPluginDefinition } from '@devflow/plugin-sdk';
import semver from 'semver';
import { PluginError } from '../errors.js';
import { isPermission } from '../rbac/rbac.js';
import { checkMigrations } from '../storage/migrations.js';
import type { SchemaValidator } from '../validator.js';

export const PLUGIN_ID_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Ids whose table prefix would collide with the kernel's own tables. */
export const RESERVED_IDS = new Set(['kernel', 'audit', 'schema', 'sqlite', 'devflow', 'core']);

const KNOWN_KEYS = new Set([
  'id', 'version', 'kernel', 'description', 'dependencies', 'optionalDependencies', 'permissions',
  'config', 'needsLease', 'startTimeoutMs', 'migrations', 'start', 'stop',
]);

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).slice(0, 6).join(', ') || '(none)'}`;
  return `a ${typeof value}`;
}

/**
 * Check a loaded value is a plugin definition and every field is usable. Returns every problem
 * (not just the first), each naming the entry and the field to fix.
 */
export function checkDefinition(entry: string, value: unknown, validator: SchemaValidator): PluginError[] {
  const label = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : entry;
  const bad = (detail: string) => new PluginError('KRN_ERR_PLUGIN_INVALID', { plugin: label, phase: 'check', detail });
  if (typeof value !== 'object' || value === null || typeof (value as { start?: unknown }).start !== 'function') {
    return [bad(`"${entry}" exports ${describeValue(value)}, not a plugin definition; export default definePlugin({ id, version, kernel, start })`)];
  }
  const def = value as AnyPluginDefinition & Record<string, unknown>;
  const problems: PluginError[] = [];
  if (typeof def.id !== 'string' || !PLUGIN_ID_RE.test(def.id)) problems.push(bad(`id must be kebab-case (e.g. "git-monitor"), got ${JSON.stringify(def.id)}`));
  else if (RESERVED_IDS.has(def.id)) problems.push(bad(`id "${def.id}" is reserved by the kernel; choose another`));
  if (typeof def.version !== 'string' || !semver.valid(def.version)) problems.push(bad(`version must be a semver version (e.g. "1.0.0"), got ${JSON.stringify(def.version)}`));
  if (typeof def.kernel !== 'string' || !semver.validRange(def.kernel)) problems.push(bad(`kernel must be a semver range (e.g. "^1.0.0"), got ${JSON.stringify(def.kernel)}`));
  for (const key of ['dependencies', 'optionalDependencies'] as const) {
    const deps = def[key];
    if (deps === undefined) continue;
    if (typeof deps !== 'object' || deps === null || Array.isArray(deps)) {
      problems.push(bad(`${key} must be an object of plugin id → semver range`));
      continue;
    }
    for (const [id, range] of Object.entries(deps)) {
      if (typeof range !== 'string' || !semver.validRange(range)) problems.push(bad(`${key}.${id} must be a semver range, got ${JSON.stringify(range)}`));
      if (id === def.id) problems.push(bad(`${key} lists the plugin itself`));
    }
  }
  if (def.permissions !== undefined) {
    if (!Array.isArray(def.permissions)) problems.push(bad('permissions must be an array of "<resource>:<action>" strings'));
    else for (const p of def.permissions) if (!isPermission(p)) problems.push(bad(`permission ${JSON.stringify(p)} is not "<resource>:<action>" (e.g. "project:read")`));
  }
  if (def.config !== undefined) {
    if (typeof def.config !== 'object' || def.config === null || (def.config as { type?: unknown }).type !== 'object') {
      problems.push(bad('config must be a JSON Schema with type "object"'));
    } else {
      const why = validator.checkCompiles(def.config);
      if (why) problems.push(bad(`config schema does not compile: ${why}`));
    }
  }
  if (def.needsLease !== undefined && typeof def.needsLease !== 'boolean') problems.push(bad('needsLease must be a boolean'));
  if (def.startTimeoutMs !== undefined && !(Number.isInteger(def.startTimeoutMs) && (def.startTimeoutMs as number) > 0)) {
    problems.push(bad('startTimeoutMs must be a positive integer'));
  }
  if (def.stop !== undefined && typeof def.stop !== 'function') problems.push(bad('stop must be a function'));
  if (def.migrations !== undefined) {
    const why = Array.isArray(def.migrations) ? checkMigrations(def.migrations) : 'migrations must be an array';
    if (why) problems.push(bad(why));
  }
  for (const key of Object.keys(def)) if (!KNOWN_KEYS.has(key)) problems.push(bad(`unknown field "${key}"; check its spelling`));
  return problems;
}
