import type { PluginRbac, Principal } from '@devflow/plugin-sdk';
import { PluginError } from '../errors.js';

export const PERMISSION_RE = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
const PATTERN_RE = /^!?([a-z][a-z0-9-]*|\*):([a-z][a-z0-9-]*|\*)$/;

/**
 * Default roles. Patterns are `<resource>:<action>` with `*` for either side; a leading `!` denies
 * (denies win). Developers do their work but do not manage plugins, read the audit log or act as
 * admin; viewers only read; guests see project status only.
 */
export const DEFAULT_ROLES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  admin: ['*:*'],
  developer: ['*:read', '*:write', '*:run', '!audit:*', '!plugins:manage', '!admin:*'],
  viewer: ['*:read', '!audit:*', '!admin:*'],
  guest: ['project:read', 'status:read'],
});

export function isPermission(value: unknown): value is string {
  return typeof value === 'string' && PERMISSION_RE.test(value);
}

export function isPermissionPattern(value: unknown): value is string {
  return typeof value === 'string' && PATTERN_RE.test(value);
}

function matches(pattern: string, permission: string): boolean {
  const [pr, pa] = pattern.split(':') as [string, string];
  const [r, a] = permission.split(':') as [string, string];
  return (pr === '*' || pr === r) && (pa === '*' || pa === a);
}

export type Auditor = (principal: Principal, permission: string, target: string | undefined) => void;

/** Role → permission checks. Roles come from DEFAULT_ROLES overlaid with the config's `rbac.roles`. */
export class Rbac implements PluginRbac {
  private readonly roles: Map<string, { allow: string[]; deny: string[] }>;
  private readonly cache = new Map<string, boolean>();

  constructor(
    overrides: Readonly<Record<string, readonly string[]>> = {},
    private readonly onDenied: Auditor = () => {},
  ) {
    this.roles = new Map();
    for (const [role, patterns] of Object.entries({ ...DEFAULT_ROLES, ...overrides })) {
      this.roles.set(role, {
        allow: patterns.filter((p) => !p.startsWith('!')),
        deny: patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1)),
      });
    }
  }

  roleNames(): string[] {
    return [...this.roles.keys()];
  }

  can(principal: Principal, permission: string): boolean {
    const key = `${principal.role}\0${permission}`;
    let ok = this.cache.get(key);
    if (ok === undefined) {
      const role = this.roles.get(principal.role);
      ok = !!role && !role.deny.some((p) => matches(p, permission)) && role.allow.some((p) => matches(p, permission));
      this.cache.set(key, ok);
    }
    return ok;
  }

  /** Throw KRN_ERR_FORBIDDEN (and audit the denial) unless the principal has the permission. */
  assert(principal: Principal, permission: string, target?: string, plugin?: string): void {
    if (this.can(principal, permission)) return;
    this.onDenied(principal, permission, target);
    throw new PluginError('KRN_ERR_FORBIDDEN', {
      plugin,
      detail: `${principal.id} (role ${principal.role}) lacks ${permission}${target ? ` for ${target}` : ''}; ask an admin for a role that grants it`,
      data: { permission, principal: principal.id, role: principal.role },
    });
  }
}
