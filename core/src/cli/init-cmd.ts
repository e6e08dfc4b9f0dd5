import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CORE_ROOT } from '../core-root.js';
import { embeddedDefaults, gitRoot } from '../config/defaults.js';
import { editConfigFile } from '../config/edit.js';
import { devflowPaths } from '../config/paths.js';
import { ConfigSource } from '../config/source.js';
import { CliExit, print, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/** The Claude Desktop config file on this OS (Linux: the community builds' location). */
export function claudeDesktopConfigPath(platform = process.platform, env = process.env): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Claude', 'claude_desktop_config.json');
}

/** The exact `mcpServers` entry for this installation: absolute node and script paths. */
export function clientEntry(env = process.env): { command: string; args: string[]; env?: Record<string, string> } {
  const script = join(CORE_ROOT, 'bin', 'devflow.js');
  return { command: process.execPath, args: [script, 'mcp'], ...(env.DEVFLOW_HOME ? { env: { DEVFLOW_HOME: resolve(env.DEVFLOW_HOME) } } : {}) };
}

/**
 * `devflow init`: create the user config watching the current git repository (or add the
 * repository to an existing one), then print the entry to paste into Claude Desktop.
 */
export async function initCommand(options: GlobalOptions & { project?: string }): Promise<number> {
  const file = options.config ? resolve(options.config) : devflowPaths().userConfigFile;
  const dir = resolve(options.project ?? process.cwd());
  const project = gitRoot(dir) ?? dir;
  if (!existsSync(file)) {
    const initial = { ...embeddedDefaults(dir), projects: [project] };
    editConfigFile(file, [], initial);
    print(`Created ${file}, watching ${project}.`);
  } else {
    const source = new ConfigSource(file, readFileSync(file, 'utf8'));
    if (source.syntaxErrors.length) throw new CliExit(EXIT.CONFIG, source.syntaxErrors.map((e) => `devflow: ${e.message}`));
    const projects = ((source.value as { projects?: unknown }).projects ?? []) as string[];
    if (!Array.isArray(projects)) throw new CliExit(EXIT.CONFIG, [`devflow: ${file}: "projects" must be a list of paths`]);
    if (projects.map((p) => resolve(file, '..', p)).includes(project)) print(`${file} already watches ${project}.`);
    else {
      editConfigFile(file, [{ path: ['projects', projects.length], value: project }]);
      print(`Added ${project} to the projects in ${file}.`);
    }
  }
  const entry = clientEntry();
  print('');
  print(`Claude Desktop: add this to ${claudeDesktopConfigPath()} (merge into "mcpServers" if it exists), then restart Claude Desktop:`);
  print('');
  print(JSON.stringify({ mcpServers: { devflow: entry } }, null, 2));
  print('');
  print(`Claude Code:  claude mcp add devflow -- ${[entry.command, ...entry.args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  print(`Check it:     ${[entry.command, entry.args[0], 'status'].join(' ')}`);
  return EXIT.OK;
}
