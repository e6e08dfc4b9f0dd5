import { HttpError } from './errors.js';

export interface Issue {
  path: string;
  message: string;
}
export type Check = (value: unknown) => Issue[];

interface AjvLike {
  compile(schema: object): ((v: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] | null };
}

let loading: Promise<{ body: AjvLike; query: AjvLike }> | undefined;

/**
 * ajv, loaded on first use: processes that never validate a request (most of them: only the
 * lease holder listens) do not pay for loading it. Two instances: query strings are coerced from
 * strings ("5" → 5, a single value → a one-item array), bodies are not.
 */
function ajv(): Promise<{ body: AjvLike; query: AjvLike }> {
  loading ??= (async () => {
    const { Ajv } = await import('ajv');
    const formats = (await import('ajv-formats')) as unknown as { default?: (a: unknown) => unknown };
    const addFormats = (formats.default ?? formats) as unknown as (a: unknown) => unknown;
    const make = (coerce: boolean) => {
      const a = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: coerce ? 'array' : false });
      addFormats(a);
      return a as unknown as AjvLike;
    };
    return { body: make(false), query: make(true) };
  })();
  return loading;
}

function describe(e: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }, where: string): Issue {
  const base = `${where}${e.instancePath.replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~')}`;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: `${base}.${String(e.params.additionalProperty)}`, message: 'is not allowed (unknown key)' };
    case 'required':
      return { path: `${base}.${String(e.params.missingProperty)}`, message: 'is required' };
    case 'enum':
      return { path: base, message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path: base, message: e.message ?? e.keyword };
  }
}

/**
 * A validator for one route's query or body schema, compiled on first use and cached. A schema
 * that does not compile is the registering plugin's bug: every request to the route is then
 * answered 500 naming the plugin.
 */
export function lazyCheck(schema: object, kind: 'query' | 'body', owner: string): () => Promise<Check> {
  let compiled: Promise<Check> | undefined;
  return () =>
    (compiled ??= ajv().then(({ body, query }) => {
      let fn: ReturnType<AjvLike['compile']>;
      try {
        fn = (kind === 'query' ? query : body).compile(schema);
      } catch (e) {
        const err = new HttpError(500, 'HTTP_ERR_ROUTE_INVALID', `the ${kind} schema of a route of plugin "${owner}" does not compile: ${(e as Error).message}`);
        return () => {
          throw err;
        };
      }
      return (value: unknown) => (fn(value) ? [] : (fn.errors ?? []).map((e) => describe(e, kind)));
    }));
}

/** Throw a 400 listing the problems (each with its path, e.g. `query.limit`). */
export function assertValid(issues: Issue[], what: string): void {
  if (!issues.length) return;
  throw new HttpError(400, 'HTTP_ERR_INPUT', `invalid ${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, {}, { issues });
}
