import { promises as fs, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { codedError, HttpError } from './errors.js';
import { SECURITY_HEADERS } from './http-io.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.ico', '.wasm']);
const GZIP_MIN = 1024;
const CACHE_MAX_BYTES = 32 * 2 ** 20;

/** One mounted directory. */
export interface StaticMount {
  readonly plugin: string;
  readonly prefix: string;
  readonly dir: string;
  /** realpath of dir: every file served must resolve inside it. */
  readonly root: string;
  readonly spa: boolean;
}

/** Check a serveStatic definition; throws HTTP_ERR_STATIC_INVALID naming the problem. */
export function makeMount(def: { plugin: unknown; prefix: unknown; dir: unknown; spa?: unknown }): StaticMount {
  const bad = (m: string) => codedError('HTTP_ERR_STATIC_INVALID', `serveStatic of plugin "${String(def.plugin)}": ${m}`);
  if (typeof def.plugin !== 'string' || !def.plugin) throw bad('plugin must be the registering plugin id');
  const prefix = def.prefix;
  if (typeof prefix !== 'string' || (prefix !== '/' && !/^(\/[A-Za-z0-9._~-]+)+\/?$/.test(prefix)) || /(^|\/)\.\.?(\/|$)/.test(prefix)) {
    throw bad(`prefix ${JSON.stringify(prefix)} must be "/" or a path like "/docs"`);
  }
  const norm = prefix === '/' ? '/' : prefix.replace(/\/$/, '');
  if (/^\/(api|auth)(\/|$)/.test(norm) || ['/health', '/ready', '/status', '/metrics'].includes(norm)) throw bad(`prefix ${norm} is reserved for the API`);
  if (typeof def.dir !== 'string' || !isAbsolute(def.dir)) throw bad(`dir ${JSON.stringify(def.dir)} must be an absolute path`);
  let root: string;
  try {
    root = realpathSync(def.dir);
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw bad(`dir ${def.dir} is not a readable directory (${(e as Error).message})`);
  }
  return { plugin: def.plugin, prefix: norm, dir: def.dir, root, spa: def.spa === true };
}

/** The mount whose prefix is the longest one that contains the path. */
export function findMount(mounts: readonly StaticMount[], rawPath: string): StaticMount | undefined {
  let best: StaticMount | undefined;
  for (const m of mounts) {
    const inside = m.prefix === '/' || rawPath === m.prefix || rawPath.startsWith(`${m.prefix}/`);
    if (inside && (!best || m.prefix.length > best.prefix.length)) best = m;
  }
  return best;
}

/**
 * The file a raw URL path names inside a mount, as path segments, or a 400 for anything that tries
 * to leave it: encoded slashes or backslashes, NUL, `.` / `..` segments (raw or encoded), bad
 * percent-encoding.
 */
export function safeSegments(mount: StaticMount, rawPath: string): string[] {
  const rest = mount.prefix === '/' ? rawPath : rawPath.slice(mount.prefix.length);
  if (/%2f|%5c|%00/i.test(rest)) throw new HttpError(400, 'HTTP_ERR_PATH_INVALID', 'encoded slashes, backslashes and NUL are not allowed in paths');
  const segs: string[] = [];
  for (const raw of rest.split('/')) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'HTTP_ERR_PATH_INVALID', 'the path is not valid percent-encoding');
    }
    if (s === '.' || s === '..' || s.includes('\\') || s.includes('\0') || s.includes('/')) {
      throw new HttpError(400, 'HTTP_ERR_PATH_INVALID', 'the path may not contain ".", ".." or backslash segments');
    }
    segs.push(s);
  }
  return segs;
}

interface Cached {
  key: string;
  body: Buffer;
  gz: Buffer | undefined;
}

/** Static file serving with ETag revalidation and a bounded cache of file contents (and their gzip). */
export class StaticFiles {
  private readonly cache = new Map<string, Cached>();
  private cachedBytes = 0;

  async serve(mount: StaticMount, rawPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const segs = safeSegments(mount, rawPath);
    let file = await this.resolve(mount, segs);
    if (!file && mount.spa && !extname(segs[segs.length - 1] ?? '')) file = await this.resolve(mount, ['index.html']);
    if (!file) throw new HttpError(404, 'HTTP_ERR_NOT_FOUND', `no file at ${rawPath.slice(0, 300)}`);
    const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
    const ext = extname(file.path).toLowerCase();
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      etag,
      'cache-control': 'no-cache',
      vary: 'Accept-Encoding',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const entry = await this.read(file.path, etag, ext);
    const gzip = entry.gz && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? (entry.gz as Buffer) : entry.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** A regular file inside the mount's real root (symbolic links that lead outside are refused), or undefined. */
  private async resolve(mount: StaticMount, segs: string[]): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
    let path = join(mount.root, ...segs);
    try {
      let st = await fs.stat(path);
      if (st.isDirectory()) {
        path = join(path, 'index.html');
        st = await fs.stat(path);
      }
      if (!st.isFile()) return undefined;
      const real = await fs.realpath(path);
      if (real !== mount.root && !real.startsWith(mount.root.endsWith(sep) ? mount.root : mount.root + sep)) return undefined;
      return { path: real, size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      return undefined;
    }
  }

  private async read(path: string, etag: string, ext: string): Promise<Cached> {
    const key = `${path}\0${etag}`;
    const hit = this.cache.get(path);
    if (hit && hit.key === key) return hit;
    const body = await fs.readFile(path);
    const gz = COMPRESSIBLE.has(ext) && body.length >= GZIP_MIN ? gzipSync(body) : undefined;
    const entry = { key, body, gz: gz && gz.length < body.length ? gz : undefined };
    const size = body.length + (entry.gz?.length ?? 0);
    if (hit) (this.cachedBytes -= hit.body.length + (hit.gz?.length ?? 0)), this.cache.delete(path);
    if (size <= CACHE_MAX_BYTES / 4) {
      while (this.cachedBytes + size > CACHE_MAX_BYTES && this.cache.size) {
        const [oldest, old] = this.cache.entries().next().value as [string, Cached];
        this.cache.delete(oldest);
        this.cachedBytes -= old.body.length + (old.gz?.length ?? 0);
      }
      this.cache.set(path, entry);
      this.cachedBytes += size;
    }
    return entry;
  }
}
