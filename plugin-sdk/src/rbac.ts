/**
 * The built-in roles, from most to least trusted. Custom roles can be added in the config.
 *
 * @example
 * ```ts
 * const role: Role = 'viewer';
 * ```
 */
export type Role = 'admin' | 'developer' | 'viewer' | 'guest' | (string & {});

/**
 * Who is calling: the local user (stdio MCP, CLI), a bearer token (HTTP), or the kernel itself.
 *
 * @example
 * ```ts
 * const me: Principal = { id: 'local:alice', kind: 'user', role: 'developer' };
 * ```
 */
export interface Principal {
  readonly id: string;
  readonly kind: 'user' | 'token' | 'system';
  readonly role: Role;
}

/**
 * Role-based access checks. Permissions are `<resource>:<action>` strings such as
 * `project:read`; roles map to permission patterns (`*:read`, `audit:*`, `!admin:*`).
 *
 * @example
 * ```ts
 * if (!ctx.rbac.can(call.principal, 'plugins:manage')) return { error: 'admins only' };
 * ctx.rbac.assert(call.principal, 'project:write'); // throws KRN_ERR_FORBIDDEN and audits it
 * ```
 */
export interface PluginRbac {
  can(principal: Principal, permission: string): boolean;
  assert(principal: Principal, permission: string): void;
}
