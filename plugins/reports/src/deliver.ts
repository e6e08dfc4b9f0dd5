// Where report files go: path templates, default file names, atomic writes. Node built-ins only.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export interface TemplateVars {
  date: string;
  period: string;
  name: string;
  ext: string;
  project: string;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'x';

/** A file-name-safe tag for a project (`all`, or its directory name plus a short hash of the path). */
export function projectTag(project: string | null): string {
  if (project === null) return 'all';
  return `${slug(basename(project))}-${createHash('sha256').update(project).digest('hex').slice(0, 6)}`;
}

/**
 * Expand `{date}`, `{period}`, `{name}`, `{ext}`, `{project}` in a path template; `~/` is the home
 * directory and a relative path is taken under `baseDir`. Throws on an unknown placeholder.
 */
export function expandPath(template: string, vars: TemplateVars, baseDir: string): string {
  const out = template.replace(/\{([a-z]+)\}/g, (m, key: string) => {
    if (!(key in vars)) throw new Error(`unknown placeholder ${m} (use {date}, {period}, {name}, {ext}, {project})`);
    return vars[key as keyof TemplateVars];
  });
  const home = out === '~' || out.startsWith('~/') ? join(homedir(), out.slice(1)) : out;
  return isAbsolute(home) ? resolve(home) : resolve(baseDir, home);
}

/** Placeholders a template uses that do not exist (empty when fine). */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([a-z]+)\}/g)].map((m) => m[0]).filter((m) => !['{date}', '{period}', '{name}', '{ext}', '{project}'].includes(m));
}

/** Write `content` to `file` atomically (temp file in the same directory, then rename); creates the directory. */
export function writeAtomic(file: string, content: string): number {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return Buffer.byteLength(content);
}
