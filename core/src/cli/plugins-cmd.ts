import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { embeddedDefaults } from '../config/defaults.js';
import { editConfigFile } from '../config/edit.js';
import { devflowPaths, findConfigFile } from '../config/paths.js';
import { ConfigSource } from '../config/source.js';
import { messageOf } from '../errors.js';
import { loadEntry } from '../plugins/loader.js';
import { CliExit, openKernel, print, printJson, recordToJson, table, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/** `devflow plugins list`: every configured plugin with version, state and reason. Starts nothing. */
export async function listCommand(options: GlobalOptions): Promise<number> {
  const kernel = openKernel(options, { quiet: true });
  try {
    const { plugins } = await kernel.check();
    if (options.json) printJson(plugins.map(recordToJson));
    else if (!plugins.length) print(`no plugins configured (${kernel.configFile ?? 'embedded defaults'})`);
    else {
      const rows = plugins.map((p) => [p.id, p.version ?? '-', p.state, p.reason ? `${p.reason.code}: ${p.reason.detail}` : '']);
      print(table(['ID', 'VERSION', 'STATE', 'REASON'], rows));
    }
    return EXIT.OK;
  } finally {
    await kernel.stop();
  }
}

/**
 * `devflow plugins enable|disable <id>`: edit the config file (keeping comments and layout; a
 * backup goes to <file>.bak). A running kernel watching the file applies it live.
 */
export async function setEnabledCommand(id: string, enabled: boolean, options: GlobalOptions): Promise<number> {
  const file = findConfigFile(options.config) ?? devflowPaths().userConfigFile;
  const exists = existsSync(file);
  let entries: Record<string, unknown> = {};
  if (exists) {
    const source = new ConfigSource(file, readFileSync(file, 'utf8'));
    if (source.syntaxErrors.length) throw new CliExit(EXIT.CONFIG, source.syntaxErrors.map((e) => `devflow: ${e.message}`));
    entries = ((source.value as { plugins?: Record<string, unknown> }).plugins ?? {}) as Record<string, unknown>;
  } else if (options.config) {
    throw new CliExit(EXIT.CONFIG, [`devflow: ${file} does not exist`]);
  }
  const initial = exists ? {} : embeddedDefaults(process.cwd());
  const known = exists ? entries : (initial.plugins ?? {});
  if (!(id in known)) {
    if (!enabled) throw new CliExit(EXIT.USAGE, [`devflow: no plugin "${id}" in ${file}; "devflow plugins list" shows what is configured`]);
    try {
      await loadEntry(id, dirname(file));
    } catch (e) {
      throw new CliExit(EXIT.PROBLEMS, [`devflow: cannot enable "${id}": ${messageOf(e)}`]);
    }
  }
  const current = known[id];
  const value = typeof current === 'boolean' ? { path: ['plugins', id], value: enabled } : { path: ['plugins', id, 'enabled'], value: enabled };
  editConfigFile(file, [value], initial);
  print(`devflow: ${enabled ? 'enabled' : 'disabled'} "${id}" in ${file}${exists ? '' : ' (created)'}; a running kernel applies it within a second`);

  const kernel = openKernel({ config: file }, { quiet: true });
  try {
    const { plugins, problems } = await kernel.check();
    const affected = plugins.filter((p) => p.state === 'skipped' || (p.state === 'failed' && p.id === id));
    for (const p of affected) process.stderr.write(`  ${p.reason?.message ?? `[${p.id}] ${p.state}`}\n`);
    return enabled && problems.some((p) => p.plugin === id) ? EXIT.PROBLEMS : EXIT.OK;
  } finally {
    await kernel.stop();
  }
}
