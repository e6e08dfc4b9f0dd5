import type { PluginContext } from '@devflow/plugin-sdk';

const PLUGIN_ID = { type: 'string', minLength: 1, maxLength: 1024, description: 'Plugin id or config entry (a package name or path), as devflow_plugins_list shows them.' } as const;

/** Admin-only tools: plugin management and the audit log (roles other than admin lack these). */
export function registerAdminTools(ctx: PluginContext<{ maxEvents: number }>): void {
  ctx.tools.register(
    {
      name: 'devflow_plugins_list',
      title: 'List DevFlow plugins',
      description: 'Every configured plugin with its config entry, version, state, the reason it is not running, its last error and its tools. Admins only.',
      group: 'admin',
      permission: 'plugins:manage',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      outputSchema: { type: 'object', properties: { plugins: { type: 'array', items: { type: 'object' } } }, required: ['plugins'] },
    },
    () => ({ plugins: ctx.kernel.status().plugins.map((p) => ({ ...p, tools: [...p.tools] })) }),
  );

  ctx.tools.register(
    {
      name: 'devflow_plugin_set_enabled',
      title: 'Enable or disable a DevFlow plugin',
      description: 'Enable or disable a plugin as editing the config file would (the file is changed). Its dependents stop and start with it. Admins only.',
      group: 'admin',
      permission: 'plugins:manage',
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      inputSchema: { type: 'object', properties: { plugin: PLUGIN_ID, enabled: { type: 'boolean' } }, required: ['plugin', 'enabled'], additionalProperties: false },
      outputSchema: {
        type: 'object',
        properties: { started: { type: 'array', items: { type: 'string' } }, stopped: { type: 'array', items: { type: 'string' } }, problems: { type: 'array', items: { type: 'string' } } },
        required: ['started', 'stopped', 'problems'],
      },
    },
    async ({ plugin, enabled }, call) => {
      const change = await ctx.kernel.setPluginEnabled(plugin, enabled, call.principal);
      return { started: [...change.started], stopped: [...change.stopped], problems: [...change.problems] };
    },
  );

  ctx.tools.register(
    {
      name: 'devflow_audit_query',
      title: 'Query the DevFlow audit log',
      description: 'Security audit entries newest first: tool calls, permission denials, plugin changes, rejected HTTP requests. Filter by principal, action (e.g. "tool:call", "rbac:deny") or outcome; page with the cursor. Admins only.',
      group: 'admin',
      permission: 'audit:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          principal: { type: 'string', maxLength: 200 },
          action: { type: 'string', maxLength: 100 },
          outcome: { enum: ['ok', 'error', 'denied', 'vetoed'] },
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          cursor: { type: 'integer', minimum: 1, description: 'The "next" value of the previous page.' },
        },
      },
      outputSchema: { type: 'object', properties: { entries: { type: 'array', items: { type: 'object' } }, next: { type: ['integer', 'null'] } }, required: ['entries', 'next'] },
    },
    (args) => {
      const rows = ctx.kernel.auditLog({
        ...(args.principal ? { principal: args.principal } : {}),
        ...(args.action ? { action: args.action } : {}),
        ...(args.outcome ? { outcome: args.outcome } : {}),
        ...(args.cursor ? { after: args.cursor } : {}),
        limit: args.limit + 1,
      });
      const page = rows.slice(0, args.limit).map((r) => ({ ...r, time: new Date(r.ts).toISOString() }));
      return { entries: page, next: rows.length > args.limit ? (page[page.length - 1]?.seq ?? null) : null };
    },
  );
}
