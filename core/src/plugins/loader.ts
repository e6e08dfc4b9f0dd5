import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PluginError, messageOf } from '../errors.js';
import { FIRST_PARTY } from './first-party.js';

/** Where a config entry points and what its module exported. */
export interface LoadedModule {
  entry: string;
  /** Absolute file that was imported. */
  file: string;
  /** The candidate definition after unwrapping default exports. */
  exported: unknown;
}

const KERNEL_DIR = dirname(fileURLToPath(import.meta.url));

function isPathEntry(entry: string): boolean {
  return entry.startsWith('.') || isAbsolute(entry) || entry.startsWith('~');
}

/** The ESM entry of a package directory: exports["."] (import/default) or main or index.js. */
function packageEntry(dir: string): string | undefined {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) return existsSync(join(dir, 'index.js')) ? join(dir, 'index.js') : undefined;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: unknown; main?: string };
  let exp: unknown = pkg.exports;
  if (exp && typeof exp === 'object' && '.' in (exp as object)) exp = (exp as Record<string, unknown>)['.'];
  while (exp && typeof exp === 'object') {
    const o = exp as Record<string, unknown>;
    exp = o.import ?? o.node ?? o.default ?? o.require;
  }
  const rel = typeof exp === 'string' ? exp : (pkg.main ?? 'index.js');
  return join(dir, rel);
}

function resolvePackage(name: string, bases: string[]): string | undefined {
  for (const base of bases) {
    try {
      return createRequire(join(base, 'noop.js')).resolve(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') continue;
    }
    // ESM-only export maps (only an "import" condition): walk node_modules ourselves.
    for (let dir = base; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return packageEntry(candidate);
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/** Resolve a config entry (first-party id, package name, or path) to a file to import. */
export function resolveEntry(entry: string, baseDir: string): { file?: string; tried: string[] } {
  if (isPathEntry(entry)) {
    const abs = resolve(baseDir, entry.replace(/^~(?=$|\/)/, process.env.HOME ?? '~'));
    const tried = [abs];
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      const file = packageEntry(abs);
      return file && existsSync(file) ? { file, tried } : { tried };
    }
    for (const f of [abs, `${abs}.js`, `${abs}.mjs`]) if (existsSync(f) && statSync(f).isFile()) return { file: f, tried };
    return { tried };
  }
  const names = FIRST_PARTY[entry] ? [FIRST_PARTY[entry] as string] : [entry];
  if (!FIRST_PARTY[entry] && /^[a-z][a-z0-9-]*$/.test(entry)) names.push(`@devflow/plugin-${entry}`);
  const bases = [baseDir, process.cwd(), KERNEL_DIR];
  for (const name of names) {
    const file = resolvePackage(name, bases);
    if (file) return { file, tried: names };
  }
  return { tried: names };
}

/** Unwrap `export default`, CommonJS interop (`default.default`) and a named `plugin` export. */
export function unwrap(mod: unknown): unknown {
  let v = mod as Record<string, unknown> | undefined;
  for (let i = 0; i < 3 && v && typeof v === 'object'; i++) {
    if (typeof v.start === 'function' || typeof v.id === 'string') return v;
    const next = v.default ?? v.plugin;
    if (next === undefined) return v;
    v = next as Record<string, unknown>;
  }
  return v;
}

/**
 * First-party plugins compiled into the CLI bundle (core/scripts/bundle.mjs registers them from the
 * bundle's entry). Loading them from there saves resolving and reading ~300 module files per start.
 */
const bundled = new Map<string, () => Promise<unknown>>();

export function registerBundledPlugins(plugins: Readonly<Record<string, () => Promise<unknown>>>): void {
  for (const [id, load] of Object.entries(plugins)) if (FIRST_PARTY[id]) bundled.set(id, load);
}

/** Import the module behind a config entry. Errors name the entry and what was tried. */
export async function loadEntry(entry: string, baseDir: string): Promise<LoadedModule> {
  const fromBundle = bundled.get(entry);
  if (fromBundle) {
    try {
      return { entry, file: `${FIRST_PARTY[entry]} (bundled)`, exported: unwrap(await fromBundle()) };
    } catch (e) {
      throw new PluginError('KRN_ERR_PLUGIN_LOAD', { plugin: entry, phase: 'load', cause: e, detail: `loading the bundled ${FIRST_PARTY[entry]} failed: ${messageOf(e)}` });
    }
  }
  const { file, tried } = resolveEntry(entry, baseDir);
  if (!file) {
    throw new PluginError('KRN_ERR_PLUGIN_NOT_FOUND', {
      plugin: entry,
      phase: 'load',
      detail: `"${entry}" resolves to no package or file (tried ${tried.join(', ')}); install the package, fix the path, or remove the entry`,
    });
  }
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    throw new PluginError('KRN_ERR_PLUGIN_LOAD', { plugin: entry, phase: 'load', cause: e, detail: `importing ${file} failed: ${messageOf(e)}` });
  }
  return { entry, file, exported: unwrap(mod) };
}
