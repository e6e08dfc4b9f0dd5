import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PluginError, messageOf } from '../errors.js';
import type { SchemaValidator } from '../validator.js';
import { findConfigFile } from './paths.js';
import { KERNEL_CONFIG_SCHEMA, type KernelConfig, type KernelConfigInput } from './schema.js';
import { ConfigSource } from './source.js';

export interface LoadedConfig {
  source: ConfigSource;
  /** Validated, defaults applied; undefined when the file could not be parsed or was invalid. */
  config: KernelConfig | undefined;
  /** Problems in the kernel-level config (syntax, unknown keys, bad values): nothing can start. */
  problems: PluginError[];
  /** Problems confined to one plugin entry: only that plugin (and its dependents) cannot start. */
  entryProblems: Map<string, PluginError[]>;
  /** Directory plugin paths and projects are relative to. */
  baseDir: string;
}

export interface LoadConfigOptions {
  /** Explicit config file (`--config`). */
  file?: string | undefined;
  /** A config object instead of a file (tests, embedded use). */
  input?: KernelConfigInput | undefined;
  /** Used when neither a file nor input is found. */
  defaults?: () => KernelConfigInput;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** `true`/`false` for a plugin are shorthands for `{ "enabled": … }`. */
function normalize(value: Record<string, unknown>): Record<string, unknown> {
  const plugins = value.plugins;
  if (plugins && typeof plugins === 'object' && !Array.isArray(plugins)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plugins)) out[k] = typeof v === 'boolean' ? { enabled: v } : v;
    return { ...value, plugins: out };
  }
  return value;
}

/** Read, parse and validate the kernel config, collecting every problem. */
export function loadConfig(validator: SchemaValidator, options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const file = options.input ? undefined : findConfigFile(options.file, cwd, options.env);
  let source: ConfigSource;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'KRN_ERR_CONFIG_NOT_FOUND' : 'KRN_ERR_CONFIG_UNREADABLE';
      const detail = code === 'KRN_ERR_CONFIG_NOT_FOUND' ? `${file} does not exist; create it with "devflow init" or drop --config` : `${file}: ${messageOf(e)}; check that it is a readable file`;
      const err = new PluginError(code, { phase: 'config', detail, data: { file } });
      return { source: new ConfigSource(file, '{}'), config: undefined, problems: [err], entryProblems: new Map(), baseDir: dirname(file) };
    }
    source = new ConfigSource(file, text);
  } else {
    const input = options.input ?? options.defaults?.() ?? {};
    source = new ConfigSource(null, JSON.stringify(input));
  }
  const baseDir = file ? dirname(file) : cwd;
  if (source.syntaxErrors.length) return { source, config: undefined, problems: source.syntaxErrors, entryProblems: new Map(), baseDir };

  const value = normalize(structuredClone(source.value) as Record<string, unknown>);
  // A config file that does not mention plugins (say, only projects or MCP tokens) runs the
  // default plugins; an explicit "plugins": {} runs none.
  if (file && !('plugins' in value) && options.defaults) value.plugins = normalize({ plugins: options.defaults().plugins ?? {} }).plugins;
  const validate = validator.compile(KERNEL_CONFIG_SCHEMA);
  const issues = validate(value);
  const entryProblems = new Map<string, PluginError[]>();
  const problems: PluginError[] = [];
  for (const i of issues) {
    const entry = i.path[0] === 'plugins' && i.path.length >= 2 ? i.path[1] : undefined;
    const err = source.invalid(i.path, i.message, entry);
    if (entry === undefined) problems.push(err);
    else entryProblems.set(entry, [...(entryProblems.get(entry) ?? []), err]);
  }
  if (problems.length) return { source, config: undefined, problems, entryProblems, baseDir };
  if (entryProblems.size) {
    // Keep the broken entries out of the config so the rest can start; they are reported apart.
    const plugins = value.plugins as Record<string, unknown>;
    for (const key of entryProblems.keys()) delete plugins[key];
    validate(value);
  }
  const config = value as unknown as KernelConfig;
  config.projects = config.projects.map((p) => resolve(baseDir, p));
  return { source, config, problems: [], entryProblems, baseDir };
}
