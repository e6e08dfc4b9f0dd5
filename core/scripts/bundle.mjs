#!/usr/bin/env node
// Build the fast-start distribution of the CLI, after `tsc -b`:
// 1. validators for the kernel's and the first-party plugins' schemas, precompiled (ajv standalone);
// 2. one ES module, core/dist/bundle/devflow.mjs, holding the compiled CLI, the first-party plugins
//    and their pure-JS dependencies (native addons and the plugin SDK stay packages).
// An MCP client launches `devflow mcp` for every session and waits for it: compiling schemas and
// resolving and loading ~700 separate module files were most of the cold start. core/bin/devflow.js
// runs the bundle unless a file it was made from changed since (e.g. a bare `tsc -b`).
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

// 2. The bundle: the CLI and the first-party plugins (registered with the loader, imported on first
//    use), one file. The plugin SDK stays a package: third-party plugins must share its copy.
const entry = join(core, 'dist', 'bundle', 'entry.mjs');
const outfile = join(core, 'dist', 'bundle', 'devflow.mjs');
mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(
  entry,
  `export { main } from '../src/cli/main.js';
import { registerBundledPlugins } from '../src/plugins/loader.js';
registerBundledPlugins({
${Object.entries(FIRST_PARTY).map(([id, pkg]) => `  ${JSON.stringify(id)}: () => import(${JSON.stringify(pkg)}),`).join('\n')}
});
`,
);
const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ESM builds first (jsonc-parser's "main" is a UMD build that requires files by relative path)
  mainFields: ['module', 'main'],
  // native addons and the plugin SDK stay packages
  external: ['better-sqlite3', '@parcel/watcher', 'fsevents', '@devflow/plugin-sdk', '@devflow/core', '@devflow/core/*'],
  // CommonJS dependencies inside an ES module bundle need a `require`
  banner: { js: "import { createRequire as __devflowRequire } from 'node:module'; const require = __devflowRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
// The workspace files the bundle was made from: core/bin/devflow.js runs the modules instead when
// one of them is newer (a `tsc -b` without this script), so a stale bundle never runs.
const workspace = join(core, '..');
const inputs = Object.keys(result.metafile.inputs)
  .map((f) => join(process.cwd(), f))
  .filter((f) => f.startsWith(workspace) && !f.includes('/node_modules/'));
writeAtomic(join(core, 'dist', 'bundle', 'inputs.json'), JSON.stringify(inputs));
