import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `@devflow/core` package directory, found by walking up from this module: the compiled
 * modules (dist/src/...) and the bundled CLI (dist/bundle/) sit at different depths.
 */
function findCoreRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === '@devflow/core') return dir;
    } catch {
      // no package.json here (or not JSON): keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the @devflow/core package above ${from}`);
  }
}

export const CORE_ROOT: string = findCoreRoot(dirname(fileURLToPath(import.meta.url)));

/** The kernel's package.json. */
export const CORE_PACKAGE = JSON.parse(readFileSync(join(CORE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
