// Where the built web app is: config `webDir`, else the package's dist/public. The CLI bundle
// inlines this module, so `import.meta.url` may point into core/dist/bundle: then the package is
// found through module resolution.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashError } from './errors.js';

const BUILD = 'node plugins/dashboard/scripts/build-web.mjs';

/** Candidate directories, most specific first. */
export function webDirCandidates(configured: string | null, moduleUrl: string): string[] {
  if (configured) return [resolve(configured)];
  const out = [fileURLToPath(new URL('../public/', moduleUrl))];
  try {
    const pkg = createRequire(moduleUrl).resolve('@devflow/plugin-dashboard/package.json');
    out.push(join(dirname(pkg), 'dist', 'public'));
  } catch {
    /* not installed as a package */
  }
  return out;
}

/** The first candidate holding index.html; throws DASH_ERR_NOT_BUILT naming where it looked and the build command. */
export function findWebDir(configured: string | null, moduleUrl: string): string {
  const tried = webDirCandidates(configured, moduleUrl);
  const found = tried.find((d) => existsSync(join(d, 'index.html')) && existsSync(join(d, 'app.js')));
  if (found) return found;
  throw dashError(
    'DASH_ERR_NOT_BUILT',
    configured
      ? `webDir "${configured}" holds no built dashboard (index.html and app.js); point it at a build or remove it`
      : `the web app is not built (looked in ${tried.join(', ')}); run \`${BUILD}\` (part of \`npm run build\`)`,
  );
}
