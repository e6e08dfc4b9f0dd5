#!/usr/bin/env node
// Build the dashboard's web app: web/main.ts bundled and minified by esbuild into dist/public/app.js,
// web/styles.css minified into dist/public/app.css, and the HTML pages copied. The client is
// type-checked by `tsc -b` (plugins/dashboard/tsconfig.json includes web/ with the DOM lib); this
// script only bundles. Run after `tsc -b`: node plugins/dashboard/scripts/build-web.mjs
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(pkg, 'web');
const out = join(pkg, 'dist', 'public');
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
try {
  await build({
    entryPoints: [join(web, 'main.ts')],
    outfile: join(tmp, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  });
  const css = await transform(readFileSync(join(web, 'styles.css'), 'utf8'), { loader: 'css', minify: true, target: ['chrome110', 'firefox115', 'safari16'] });
  writeFileSync(join(tmp, 'app.css'), css.code);
  for (const page of ['index.html', 'docs.html']) writeFileSync(join(tmp, page), readFileSync(join(web, page)));
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`dashboard: web build failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
const sizes = ['index.html', 'app.js', 'app.css'].map((f) => {
  const b = readFileSync(join(out, f));
  return `${f} ${(b.length / 1024).toFixed(1)} KB (${(gzipSync(b).length / 1024).toFixed(1)} KB gzip)`;
});
console.log(`dashboard: built ${out}: ${sizes.join(', ')}`);
