import type { AnyPluginDefinition } from '@devflow/plugin-sdk';
import type { KernelConfigInput } from './config/schema.js';
import type { PluginError } from './errors.js';
import type { ExtraLogStream, PinoLogger } from './logger.js';

export interface KernelOptions {
  /** Config file (`--config`); otherwise ./devflow.config.json, the user config, or the defaults. */
  configFile?: string | undefined;
  /** A config object instead of a file. */
  config?: KernelConfigInput | undefined;
  /** Plugin definitions handed over directly (tests, embedding); enabled unless the config says otherwise. */
  plugins?: readonly AnyPluginDefinition[];
  /** Database file (':memory:' allowed); otherwise storage.path or <data dir>/devflow.db. */
  databasePath?: string;
  logger?: PinoLogger;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Override the config's logging.level (one-shot CLI commands log warnings only). */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Take the monitor lease when plugins need it (default true). One-shot CLI commands pass false. */
  monitors?: boolean;
  /**
   * Lease-bound work (`ctx.lease.whileHeld`) waits for this promise before it starts: `devflow mcp`
   * answers the client's `initialize` and `tools/list` first and only then starts the watchers.
   */
  leaseWorkAfter?: Promise<unknown>;
  /** Extra log streams besides stderr/the log file (the MCP adapter forwards logs to clients). */
  extraLogStreams?: readonly ExtraLogStream[];
  /** Watch the config file and apply edits live (default: the config's kernel.watchConfig). */
  watchConfig?: boolean;
}

/** The kernel config could not be used at all; every problem is listed. */
export class ConfigError extends Error {
  constructor(readonly problems: PluginError[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.name = 'ConfigError';
  }
}

