#!/usr/bin/env node
// The devflow CLI. Runs the compiled kernel; `npm install` builds it (the root "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('devflow: not built yet; run "npm install" (or "npm run build") in the repository root\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
