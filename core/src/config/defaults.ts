import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_ENABLED } from '../plugins/first-party.js';
import type { KernelConfigInput } from './schema.js';

/** The git work tree containing `dir`, if any. */
export function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * The embedded defaults, used when there is no config file: watch the git repository DevFlow was
 * started in, with the default first-party plugins.
 */
export function embeddedDefaults(cwd: string, withFirstParty = true): KernelConfigInput {
  const root = gitRoot(cwd);
  return {
    projects: root ? [root] : [],
    plugins: withFirstParty ? Object.fromEntries(DEFAULT_ENABLED.map((id) => [id, { enabled: true }])) : {},
  };
}
