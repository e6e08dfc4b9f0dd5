import { definePlugin } from '@devflow/plugin-sdk';
import type { HttpApi } from './api-types.js';
import { TokenStore } from './auth.js';
import { checkBind, CONFIG_SCHEMA, isLoopbackHost } from './config.js';
import { codedError } from './errors.js';
import { Registry } from './registry.js';
import type { HttpServer } from './server.js';
import { ensureLocalToken } from './token-file.js';

/**
 * The local HTTP API: health, readiness, status and Prometheus metrics, tools over REST, routes
 * and static files other plugins register, and live events over WebSocket and SSE. Only the
 * process holding the monitor lease listens; every process keeps the registrations.
 */
export default definePlugin({
  id: 'http-api',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Local HTTP API: /health, /ready, /status, /metrics, REST routes under /api/v1, tools over REST, live events (WebSocket, SSE).',
  permissions: ['tools:call', 'status:read', 'events:read'],
  config: CONFIG_SCHEMA,
  start(ctx) {
    const config = ctx.config;
    checkBind(config);
    const local = ensureLocalToken(ctx.paths.configDir);
    for (const note of local.notes) ctx.logger.info({ file: local.file }, `http-api: ${note}`);
    const tokens = new TokenStore(local.token, config);
    for (const p of tokens.problems) ctx.logger.error({ code: 'HTTP_ERR_TOKEN_CONFIG', index: p.index }, `http-api: ${p.message}; this token is not accepted (fix plugins.http-api.config.tokens)`);
    if (!isLoopbackHost(config.host) && tokens.configured === 0) {
      throw codedError('HTTP_ERR_INSECURE_BIND', `refusing to listen on ${config.host}: none of the configured tokens is usable (see the HTTP_ERR_TOKEN_CONFIG lines)`);
    }
    const registry = new Registry(ctx.id);
    let server: HttpServer | undefined;
    const loginUrl = (to?: string): string | null => {
      const url = server?.url;
      if (!url) return null;
      const target = typeof to === 'string' && to.startsWith('/') && !to.startsWith('//') ? to : '/';
      return `${url}/auth/login?token=${encodeURIComponent(local.token)}${target === '/' ? '' : `&to=${encodeURIComponent(target)}`}`;
    };

    ctx.hooks.tap('eventStored', (events) => server?.feed.stored(events));
    ctx.hooks.tap('afterToolCall', (call, outcome) => server?.metrics.toolCall(call.tool, outcome.ok ? 'ok' : outcome.error?.code === 'KRN_ERR_TOOL_VETOED' ? 'vetoed' : 'error', outcome.durationMs));
    ctx.hooks.tap('pluginStopped', (p) => {
      const n = registry.removePlugin(p.id);
      if (n) ctx.logger.debug({ stopped: p.id, removed: n }, 'http-api: removed the routes of a stopped plugin');
    });

    ctx.lease.whileHeld(async (signal) => {
      const { HttpServer } = await import('./server.js');
      let retry: NodeJS.Timeout | undefined;
      let reported = false;
      const attempt = async (): Promise<void> => {
        if (signal.aborted) return;
        const s = new HttpServer({ config, registry, tokens, kernel: ctx.kernel, reader: ctx.storage.events, can: (p, perm) => ctx.rbac.can(p, perm), logger: ctx.logger });
        try {
          const url = await s.listen();
          if (signal.aborted) return void (await s.close());
          server = s;
          // The login URL carries the token: it is printed by `devflow start` on the user's terminal, never logged.
          ctx.logger.info({ url, port: s.port }, `http-api: listening on ${url}`);
          void ctx.events.emit('http-api.server.listening', { url, port: s.port });
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'HTTP_ERR_LISTEN';
          if (!reported) {
            reported = true;
            ctx.logger.error({ code, port: config.port }, `http-api: ${(e as Error).message}; retrying every ${config.listenRetryMs} ms`);
            void ctx.events.emit('http-api.server.failed', { port: config.port, code, message: (e as Error).message }, { severity: 'error' });
          } else ctx.logger.debug({ code }, 'http-api: listen retry failed');
          retry = setTimeout(() => void attempt(), config.listenRetryMs);
          retry.unref();
        }
      };
      await attempt();
      return async () => {
        clearTimeout(retry);
        const s = server;
        server = undefined;
        if (!s) return;
        const { url, port } = s;
        await s.close();
        ctx.logger.info({ url, port }, 'http-api: stopped listening');
        void ctx.events.emit('http-api.server.stopped', { url, port, reason: ctx.signal.aborted ? 'plugin stopped' : 'lease lost' });
      };
    });

    const api: HttpApi = {
      url: () => server?.url ?? null,
      loginUrl,
      route: (def) => registry.route(def),
      serveStatic: (def) => registry.serveStatic(def),
    };
    return api;
  },
});
