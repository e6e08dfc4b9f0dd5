import { codedError } from './errors.js';

type Segment = { literal: string } | { param: string };

/** One route in the table: its pattern, the plugin that owns it, and what to run. */
export interface RouteEntry<T> {
  readonly method: string;
  readonly path: string;
  readonly plugin: string;
  readonly value: T;
  readonly segments: readonly Segment[];
}

export type Match<T> =
  | { kind: 'route'; route: RouteEntry<T>; params: Record<string, string> }
  | { kind: 'method'; allowed: string[] }
  | { kind: 'bad-path'; message: string }
  | { kind: 'none' };

const LITERAL_RE = /^[A-Za-z0-9._~-]+$/;
const PARAM_RE = /^:[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse a pattern like `/api/v1/reports/:id`; throws HTTP_ERR_ROUTE_INVALID naming what is wrong. */
export function parsePattern(path: string): Segment[] {
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > 300) {
    throw codedError('HTTP_ERR_ROUTE_INVALID', `path ${JSON.stringify(path)} must be a string starting with "/" (at most 300 characters)`);
  }
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const names = new Set<string>();
  return parts.map((p) => {
    if (PARAM_RE.test(p)) {
      const name = p.slice(1);
      if (names.has(name)) throw codedError('HTTP_ERR_ROUTE_INVALID', `path ${path} names parameter :${name} twice`);
      names.add(name);
      return { param: name };
    }
    if (!LITERAL_RE.test(p) || p === '.' || p === '..') {
      throw codedError('HTTP_ERR_ROUTE_INVALID', `path ${path}: segment "${p}" must be letters, digits, ".", "_", "~", "-" or a :parameter`);
    }
    return { literal: p };
  });
}

/** Two patterns that could match the same path (a parameter matches any literal). */
function overlaps(a: readonly Segment[], b: readonly Segment[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, i) => {
    const t = b[i] as Segment;
    return 'param' in s || 'param' in t || s.literal === t.literal;
  });
}

/**
 * A small method + path router. Literal segments win over parameters at the same position, so
 * `/api/v1/tools/:name` and a later `/api/v1/tools/export` would be ambiguous: overlapping
 * patterns for one method are refused at registration instead (HTTP_ERR_ROUTE_DUPLICATE).
 */
export class Router<T> {
  private readonly routes: RouteEntry<T>[] = [];
  /** Routes without parameters, by "METHOD path": one map lookup for the common case. */
  private readonly exact = new Map<string, RouteEntry<T>>();

  add(method: string, path: string, plugin: string, value: T): { dispose(): void } {
    const segments = parsePattern(path);
    const clash = this.routes.find((r) => r.method === method && overlaps(r.segments, segments));
    if (clash) {
      throw codedError('HTTP_ERR_ROUTE_DUPLICATE', `${method} ${path} (plugin "${plugin}") overlaps ${clash.method} ${clash.path} of plugin "${clash.plugin}"; choose another path`);
    }
    const entry: RouteEntry<T> = { method, path, plugin, value, segments };
    this.routes.push(entry);
    if (segments.every((s) => 'literal' in s)) this.exact.set(`${method} ${path}`, entry);
    return { dispose: () => this.remove(entry) };
  }

  private remove(entry: RouteEntry<T>): void {
    const i = this.routes.indexOf(entry);
    if (i < 0) return;
    this.routes.splice(i, 1);
    if (this.exact.get(`${entry.method} ${entry.path}`) === entry) this.exact.delete(`${entry.method} ${entry.path}`);
  }

  /** Remove every route of a plugin (it stopped). Returns how many went. */
  removePlugin(plugin: string): number {
    const mine = this.routes.filter((r) => r.plugin === plugin);
    for (const r of mine) this.remove(r);
    return mine.length;
  }

  list(): readonly RouteEntry<T>[] {
    return this.routes;
  }

  /** Find the route for a raw (still percent-encoded) path. */
  match(method: string, rawPath: string): Match<T> {
    const hit = this.exact.get(`${method} ${rawPath}`);
    if (hit) return { kind: 'route', route: hit, params: {} };
    const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
    const allowed: string[] = [];
    let found: { route: RouteEntry<T>; params: Record<string, string> } | undefined;
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const s = r.segments[i] as Segment;
        const p = parts[i] as string;
        if ('literal' in s) ok = s.literal === p;
        else {
          if (!p) ok = false;
          else {
            try {
              params[s.param] = decodeURIComponent(p);
            } catch {
              return { kind: 'bad-path', message: `path segment "${p.slice(0, 100)}" is not valid percent-encoding` };
            }
            if (params[s.param]?.includes('\0')) return { kind: 'bad-path', message: 'path parameters may not contain NUL' };
          }
        }
      }
      if (!ok) continue;
      if (r.method === method) {
        found ??= { route: r, params };
        if (r.segments.every((s) => 'literal' in s)) return { kind: 'route', ...found };
      } else if (!allowed.includes(r.method)) allowed.push(r.method);
    }
    if (found) return { kind: 'route', ...found };
    return allowed.length ? { kind: 'method', allowed } : { kind: 'none' };
  }
}
