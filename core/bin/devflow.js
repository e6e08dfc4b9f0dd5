#!/usr/bin/env node
// The devflow CLI. Runs the compiled kernel; `npm install` builds it (the root "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('devflow: not built yet; run "npm install" (or "npm run build") in the repository root\n');
  process.exit(1);
}
// A reader that goes away (`devflow plugins list | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
