import type { FromSchema } from '@devflow/plugin-sdk';
import { codedError } from './errors.js';

/** The http-api config schema (`plugins.http-api.config`). */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'Interface to listen on. Beyond loopback needs tokens and anonymousLoopback false.' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 3778, description: '0 = any free port.' },
    allowedHosts: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'Extra Host header values to accept, as host:port (a reverse proxy name).' },
    allowedOrigins: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'Extra browser origins to accept (with CORS, bearer tokens only).' },
    tokens: {
      type: 'array',
      default: [],
      description: 'Extra bearer tokens: exactly one of tokenEnv, tokenFile, tokenSha256, plus the principal and role it stands for.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['principal', 'role'],
        properties: {
          tokenEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
          tokenFile: { type: 'string', minLength: 1 },
          tokenSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          principal: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' },
          role: { type: 'string', minLength: 1 },
        },
      },
    },
    localRole: { type: 'string', minLength: 1, default: 'admin', description: 'Role of the local token (and the dashboard session it opens).' },
    anonymousLoopback: { type: 'boolean', default: true, description: '/health, /ready, /status and /metrics answer without a token on a loopback listener.' },
    maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 67108864, default: 1048576 },
    requestTimeoutMs: { type: 'integer', minimum: 100, maximum: 600000, default: 30000, description: 'A route handler that takes longer is answered 504.' },
    listenRetryMs: { type: 'integer', minimum: 100, maximum: 3600000, default: 10000, description: 'Wait between listen attempts when the port is taken.' },
    sessionTtlHours: { type: 'integer', minimum: 1, maximum: 8760, default: 168, description: 'Lifetime of the browser session cookie.' },
    stream: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxBufferedBytes: { type: 'integer', minimum: 1024, maximum: 268435456, default: 1048576, description: 'A stream client with more unsent bytes than this is disconnected.' },
        maxClients: { type: 'integer', minimum: 1, maximum: 10000, default: 32 },
        pingMs: { type: 'integer', minimum: 100, maximum: 600000, default: 30000, description: 'WebSocket ping / SSE comment interval; a WebSocket that misses a pong is closed.' },
        pollMs: { type: 'integer', minimum: 50, maximum: 60000, default: 500, description: 'How often the log is read for events other processes stored.' },
      },
    },
  },
} as const;

export type HttpApiConfig = FromSchema<typeof CONFIG_SCHEMA>;

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Refuse a listener beyond loopback that anyone on the network could use without a token. */
export function checkBind(config: Pick<HttpApiConfig, 'host' | 'tokens' | 'anonymousLoopback'>): void {
  if (isLoopbackHost(config.host)) return;
  const problems: string[] = [];
  if (!config.tokens.length) problems.push('no tokens are configured (add plugins.http-api.config.tokens)');
  if (config.anonymousLoopback) problems.push('anonymousLoopback is true (set plugins.http-api.config.anonymousLoopback to false)');
  if (problems.length) {
    throw codedError('HTTP_ERR_INSECURE_BIND', `refusing to listen on ${config.host} (beyond loopback): ${problems.join('; ')}; or set host to 127.0.0.1`);
  }
}

/** The URL form of a host: IPv6 literals in brackets; the unspecified addresses shown as loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
