// The dashboard's client-side routes. Pure.

export interface RouteDef {
  readonly id: string;
  readonly path: string;
  readonly title: string;
}

/**
 * Paths the http-api answers itself (`/health`, `/ready`, `/status`, `/metrics`, `/api/…`,
 * `/auth/…`) cannot be client routes: the Metrics page lives at `/trends`.
 */
export const RESERVED = ['/health', '/ready', '/status', '/metrics', '/api', '/auth'];

export const ROUTES: readonly RouteDef[] = [
  { id: 'overview', path: '/', title: 'Overview' },
  { id: 'activity', path: '/activity', title: 'Activity' },
  { id: 'tasks', path: '/tasks', title: 'Tasks' },
  { id: 'metrics', path: '/trends', title: 'Metrics' },
  { id: 'reports', path: '/reports', title: 'Reports' },
  { id: 'plugins', path: '/plugins', title: 'Plugins' },
  { id: 'audit', path: '/audit', title: 'Audit' },
  { id: 'sync', path: '/sync', title: 'Sync' },
  { id: 'ai-clients', path: '/ai-clients', title: 'AI clients' },
];

/** The route for a location pathname (trailing slashes ignored); null for an unknown path. */
export function matchRoute(pathname: string): RouteDef | null {
  const p = `/${pathname.split(/[?#]/)[0]?.replace(/^\/+|\/+$/g, '') ?? ''}`;
  return ROUTES.find((r) => r.path === p) ?? (p === '/index.html' ? (ROUTES[0] as RouteDef) : null);
}

/** A same-origin path with query parameters (null/empty values left out). */
export function pathWith(path: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
