import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where DevFlow keeps things. `DEVFLOW_HOME` puts everything (config and data) in one directory,
 * which is what tests and portable installs use; otherwise the XDG base directories.
 */
export interface DevflowPaths {
  /** Directory of the database, plugin data and logs. */
  dataDir: string;
  /** Directory of the user config file. */
  configDir: string;
  /** The user config file (may not exist). */
  userConfigFile: string;
}

export function devflowPaths(env: NodeJS.ProcessEnv = process.env): DevflowPaths {
  if (env.DEVFLOW_HOME) {
    const home = resolve(env.DEVFLOW_HOME);
    return { dataDir: home, configDir: home, userConfigFile: join(home, 'config.json') };
  }
  const dataBase = env.XDG_DATA_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) || join(homedir(), '.local', 'share');
  const configBase = env.XDG_CONFIG_HOME || (process.platform === 'win32' ? env.APPDATA : undefined) || join(homedir(), '.config');
  const configDir = join(configBase, 'devflow');
  return { dataDir: join(dataBase, 'devflow'), configDir, userConfigFile: join(configDir, 'config.json') };
}

/** The config file to use: `--config`, else ./devflow.config.json, else the user config (if any). */
export function findConfigFile(explicit: string | undefined, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) return resolve(cwd, explicit);
  if (env.DEVFLOW_CONFIG) return resolve(cwd, env.DEVFLOW_CONFIG);
  const local = join(cwd, 'devflow.config.json');
  if (existsSync(local)) return local;
  const user = devflowPaths(env).userConfigFile;
  return existsSync(user) ? user : undefined;
}
