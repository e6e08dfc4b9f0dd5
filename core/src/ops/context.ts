import { join, resolve } from 'node:path';
import { embeddedDefaults } from '../config/defaults.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { devflowPaths } from '../config/paths.js';
import type { KernelConfig } from '../config/schema.js';
import type { PluginError } from '../errors.js';
import { SchemaValidator } from '../validator.js';

/** Where an operation finds things: the config in use and the files it names. */
export interface OpsContext {
  loaded: LoadedConfig;
  config: KernelConfig;
  configFile: string | null;
  dataDir: string;
  configDir: string;
  /** The database `devflow start` and `devflow mcp` open. */
  databasePath: string;
  archivePath: string;
  logFile: string | undefined;
}

export type OpsContextResult = { ok: true; context: OpsContext } | { ok: false; problems: PluginError[]; dataDir: string; configDir: string };

/**
 * Read the config the way the kernel does (same file lookup, same defaults) without opening the
 * database or loading plugins, and resolve the paths operations work on.
 */
export function loadOpsContext(configFile: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): OpsContextResult {
  const paths = devflowPaths(env);
  const loaded = loadConfig(new SchemaValidator(), { file: configFile, defaults: () => embeddedDefaults(cwd), cwd, env });
  if (!loaded.config) return { ok: false, problems: loaded.problems, dataDir: paths.dataDir, configDir: paths.configDir };
  const config = loaded.config;
  const fromConfig = (p: string | undefined) => (p === undefined ? undefined : resolve(loaded.baseDir, p));
  return {
    ok: true,
    context: {
      loaded,
      config,
      configFile: loaded.source.file,
      dataDir: paths.dataDir,
      configDir: paths.configDir,
      databasePath: fromConfig(config.storage.path) ?? join(paths.dataDir, 'devflow.db'),
      archivePath: archivePathOf(config, loaded.baseDir, paths.dataDir),
      logFile: fromConfig(config.logging.file),
    },
  };
}

/** storage.retention.archivePath (relative to the config file), else <data dir>/archive.db. */
export function archivePathOf(config: KernelConfig, baseDir: string, dataDir: string): string {
  const p = config.storage.retention.archivePath;
  return p ? resolve(baseDir, p) : join(dataDir, 'archive.db');
}
