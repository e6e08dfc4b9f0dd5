#!/usr/bin/env node
// The devflow CLI. Runs the compiled kernel; `npm install` builds it (the root "prepare" script).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
const bundle = new URL('../dist/bundle/devflow.mjs', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('devflow: not built yet; run "npm install" (or "npm run build") in the repository root\n');
  process.exit(1);
}
// The bundle (one file, faster to load) unless a later `tsc -b` changed a file it was made from.
const fresh = (() => {
  try {
    const made = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL('../dist/bundle/inputs.json', import.meta.url), 'utf8'));
    return inputs.every((file) => statSync(file).mtimeMs <= made);
  } catch {
    return false;
  }
})();
// A reader that goes away (`devflow plugins list | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import((fresh ? bundle : entry).href);
process.exitCode = await main(process.argv);
