import type { RouteDefinition, RouteMethod, StaticDefinition } from './api-types.js';
import { codedError } from './errors.js';
import { Router } from './router.js';
import { lazyCheck, type Check } from './schema-check.js';
import { makeMount, type StaticMount } from './static.js';

/** Who may call a route: `scrape` routes answer anonymously on loopback; `api` routes need a token or session; `login` routes handle auth themselves. */
export type Access = 'scrape' | 'api' | 'login';

export type BuiltinName = 'health' | 'ready' | 'status' | 'metrics' | 'login' | 'logout' | 'whoami' | 'routes' | 'tools' | 'tool-call' | 'events' | 'sse' | 'ws';

export type RouteValue =
  | { kind: 'builtin'; name: BuiltinName; access: Access; permission: string | null; description: string }
  | { kind: 'plugin'; def: RouteDefinition; access: 'api'; permission: string; description: string; query?: () => Promise<Check>; body?: () => Promise<Check> };

const METHODS: readonly RouteMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];
const PERMISSION_RE = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

const BUILTINS: readonly [RouteMethod, string, BuiltinName, Access, string | null, string][] = [
  ['GET', '/health', 'health', 'scrape', 'status:read', 'liveness: 200 while the process serves'],
  ['GET', '/ready', 'ready', 'scrape', 'status:read', 'readiness: 200 when every enabled plugin is started or isolated with a reason, else 503 with the list'],
  ['GET', '/status', 'status', 'scrape', 'status:read', 'version, uptime, plugins and monitors, database, ingest, memory, lease'],
  ['GET', '/metrics', 'metrics', 'scrape', 'status:read', 'Prometheus text format'],
  ['GET', '/auth/login', 'login', 'login', null, 'token=<token>&to=<path>: sets the session cookie and redirects'],
  ['POST', '/auth/logout', 'logout', 'login', null, 'ends the browser session'],
  ['GET', '/api/v1/whoami', 'whoami', 'api', null, 'the caller: principal id, kind, role'],
  ['GET', '/api/v1/routes', 'routes', 'api', null, 'the routes the caller may use'],
  ['GET', '/api/v1/tools', 'tools', 'api', null, 'the tools the caller may call'],
  ['POST', '/api/v1/tools/:name', 'tool-call', 'api', null, 'call a tool: JSON body = arguments; the tool names its permission'],
  ['GET', '/api/v1/events', 'events', 'api', 'events:read', 'query the log: types, project, since, limit ≤ 200, cursor'],
  ['GET', '/api/v1/events/stream', 'sse', 'api', 'events:read', 'live events as Server-Sent Events; filters types, project'],
  ['GET', '/api/v1/stream', 'ws', 'api', 'events:read', 'live events over WebSocket; filters types, project'],
];

/**
 * Everything registered with the HTTP API, kept in every process whether or not it listens: the
 * routes (built-in and from plugins) and the static mounts. The server of the process that holds
 * the lease reads them on every request.
 */
export class Registry {
  readonly router = new Router<RouteValue>();
  private readonly mountList: StaticMount[] = [];

  constructor(private readonly self: string) {
    for (const [method, path, name, access, permission, description] of BUILTINS) {
      this.router.add(method, path, self, { kind: 'builtin', name, access, permission, description });
    }
  }

  get mounts(): readonly StaticMount[] {
    return this.mountList;
  }

  route(def: RouteDefinition): { dispose(): void } {
    const bad = (m: string) => codedError('HTTP_ERR_ROUTE_INVALID', `route of plugin "${String(def?.plugin)}": ${m}`);
    if (typeof def !== 'object' || def === null) throw bad('the definition must be an object');
    if (typeof def.plugin !== 'string' || !/^[a-z][a-z0-9-]*$/.test(def.plugin)) throw bad('plugin must be the registering plugin id');
    if (def.plugin === this.self) throw bad(`plugin "${this.self}" is reserved`);
    if (!METHODS.includes(def.method)) throw bad(`method ${JSON.stringify(def.method)} must be one of ${METHODS.join(', ')}`);
    if (typeof def.path !== 'string' || !def.path.startsWith('/api/v1/')) throw bad(`path ${JSON.stringify(def.path)} must start with /api/v1/`);
    if (typeof def.permission !== 'string' || !PERMISSION_RE.test(def.permission)) throw bad(`permission ${JSON.stringify(def.permission)} must be "<resource>:<action>"`);
    if (typeof def.description !== 'string' || def.description.trim().length < 3) throw bad('description must say what the route answers');
    if (typeof def.handler !== 'function') throw bad('handler must be a function');
    for (const k of ['query', 'body'] as const) {
      const s = def[k];
      if (s !== undefined && (typeof s !== 'object' || s === null || Array.isArray(s))) throw bad(`${k} must be a JSON Schema object`);
    }
    if (def.body !== undefined && def.method === 'GET') throw bad('a GET route has no body schema');
    const value: RouteValue = {
      kind: 'plugin',
      def,
      access: 'api',
      permission: def.permission,
      description: def.description,
      ...(def.query ? { query: lazyCheck(def.query, 'query', def.plugin) } : {}),
      ...(def.body ? { body: lazyCheck(def.body, 'body', def.plugin) } : {}),
    };
    return this.router.add(def.method, def.path, def.plugin, value);
  }

  serveStatic(def: StaticDefinition): { dispose(): void } {
    const mount = makeMount(def as unknown as Record<string, unknown> & StaticDefinition);
    const clash = this.mountList.find((m) => m.prefix === mount.prefix);
    if (clash) throw codedError('HTTP_ERR_STATIC_INVALID', `serveStatic of plugin "${mount.plugin}": prefix ${mount.prefix} is already served by plugin "${clash.plugin}"`);
    this.mountList.push(mount);
    return {
      dispose: () => {
        const i = this.mountList.indexOf(mount);
        if (i >= 0) this.mountList.splice(i, 1);
      },
    };
  }

  /** A plugin stopped: its routes and mounts go. */
  removePlugin(plugin: string): number {
    let n = this.router.removePlugin(plugin);
    for (let i = this.mountList.length - 1; i >= 0; i--) {
      if ((this.mountList[i] as StaticMount).plugin === plugin) (this.mountList.splice(i, 1), n++);
    }
    return n;
  }
}
