import { definePlugin } from '@devflow/plugin-sdk';
import type { HttpApi } from './http-contract.js';
import { reportRoutes } from './report-routes.js';
import { findWebDir } from './web-dir.js';

export default definePlugin({
  id: 'dashboard',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'The local web dashboard, served by http-api at /: overview, activity, tasks, metrics and DORA, reports, plugins and audit, live over the event stream.',
  dependencies: { 'http-api': '^1.0.0' },
  permissions: ['tools:call', 'reports:read'],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      webDir: {
        type: ['string', 'null'],
        default: null,
        description: 'Directory of a built web app to serve instead of the one in the package (dist/public).',
      },
    },
  },
  start(ctx) {
    const dir = findWebDir(ctx.config.webDir ?? null, import.meta.url);
    const http = ctx.use('http-api') as HttpApi;
    http.serveStatic({ plugin: ctx.id, prefix: '/', dir, spa: true });
    for (const route of reportRoutes(ctx.id, (name, args, principal, options) => ctx.kernel.callTool(name, args, principal, options))) http.route(route);
    ctx.logger.debug({ dir }, 'dashboard served');
    return {
      /** The dashboard's sign-in link (null where this process does not serve HTTP). */
      url: (): string | null => http.loginUrl('/'),
      webDir: dir,
    };
  },
});
