#!/usr/bin/env node
// Bundle the compiled CLI (core/dist/src/cli/main.js and everything it imports, except native
// addons and plugins) into one ES module, core/dist/bundle/devflow.mjs. An MCP client launches
// `devflow mcp` for every session and waits for it: resolving and loading ~400 separate module files
// was a third of the cold start. core/bin/devflow.js runs the bundle when it is at least as new as
// the compiled modules, and the modules otherwise (e.g. right after a bare `tsc -b`).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv, _ } from 'ajv';
import addFormatsModule from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';

const core = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (...p) => pathToFileURL(join(core, 'dist', 'src', ...p)).href;
const addFormats = addFormatsModule.default ?? addFormatsModule;
const standaloneCode = standaloneModule.default ?? standaloneModule;

// 1. Precompiled validators (see core/src/validator-precompiled.ts): the kernel config schema, every
//    first-party plugin's config schema, and the draft-07 meta-schema that checks tool schemas.
const { AJV_OPTIONS, PRECOMPILED_FILE, schemaKey } = await import(dist('validator-precompiled.js'));
const { KERNEL_CONFIG_SCHEMA } = await import(dist('config', 'schema.js'));
const { FIRST_PARTY } = await import(dist('plugins', 'first-party.js'));
const schemas = new Map([[schemaKey(KERNEL_CONFIG_SCHEMA), KERNEL_CONFIG_SCHEMA]]);
for (const pkg of Object.values(FIRST_PARTY)) {
  const mod = await import(pkg).catch(() => undefined); // a plugin not built yet is compiled at run time
  const config = mod?.default?.config;
  if (config && typeof config === 'object') schemas.set(schemaKey(config), config);
}
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
addFormats(ajv);
for (const [key, schema] of schemas) ajv.addSchema(schema, key);
const metaAjv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
const metaFile = PRECOMPILED_FILE.replace(/\.cjs$/, '.meta.cjs');
mkdirSync(dirname(PRECOMPILED_FILE), { recursive: true });
writeAtomic(metaFile, standaloneCode(metaAjv, { meta: 'http://json-schema.org/draft-07/schema' }));
writeAtomic(
  PRECOMPILED_FILE,
  `${standaloneCode(ajv, Object.fromEntries([...schemas.keys()].map((k) => [k, k])))}\nexports.meta = require(${JSON.stringify(`./${metaFile.split('/').pop()}`)}).meta;\n`,
);

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

// 2. The bundle.
const outfile = join(core, 'dist', 'bundle', 'devflow.mjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(core, 'dist', 'src', 'cli', 'main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ESM builds first (jsonc-parser's "main" is a UMD build that requires files by relative path)
  mainFields: ['module', 'main'],
  // native addons stay packages; plugins are loaded by the kernel's loader at run time
  external: ['better-sqlite3', '@parcel/watcher', 'fsevents', '@devflow/*'],
  // CommonJS dependencies inside an ES module bundle need a `require`
  banner: { js: "import { createRequire as __devflowRequire } from 'node:module'; const require = __devflowRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
