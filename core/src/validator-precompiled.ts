import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Options, ValidateFunction } from 'ajv';
import { CORE_ROOT } from './core-root.js';

/** The kernel's ajv options; part of every precompiled schema's key. */
export const AJV_OPTIONS: Options = Object.freeze({ allErrors: true, useDefaults: true, strict: false, allowUnionTypes: true });

/**
 * Validators for the kernel's and first-party plugins' schemas, and for the JSON Schema
 * meta-schema, compiled to code at build time (`core/scripts/bundle.mjs`, ajv's standalone mode).
 * Compiling them at each start cost ~60 ms of the ~300 ms an AI client waits for `devflow mcp`.
 * Keys are hashes of the schema and the options, so a changed schema simply misses and is compiled
 * at run time as before; no file means everything compiles at run time.
 */
export const PRECOMPILED_FILE = join(CORE_ROOT, 'dist', 'precompiled', 'schemas.cjs');

type Table = Record<string, ValidateFunction>;
let table: Table | null | undefined;

function load(): Table | null {
  if (table === undefined) {
    try {
      table = existsSync(PRECOMPILED_FILE) ? (createRequire(import.meta.url)(PRECOMPILED_FILE) as Table) : null;
    } catch {
      table = null; // a broken file only costs speed
    }
  }
  return table;
}

/** The key of a schema: a hash of the options and the schema's JSON. */
export function schemaKey(schema: object): string {
  return `s${createHash('sha1').update(JSON.stringify(AJV_OPTIONS)).update(JSON.stringify(schema)).digest('hex')}`;
}

export function precompiled(key: string): ValidateFunction | undefined {
  return load()?.[key];
}

/** The draft-07 meta-schema validator, when precompiled. */
export function precompiledMeta(): ValidateFunction | undefined {
  return load()?.meta;
}
