import { join } from 'node:path';
import { loadOpsContext } from '../context.js';
import { checkDataDir, checkDisk, checkInotify } from './checks-host.js';
import { checkClaudeDesktop } from './checks-claude.js';
import { checkDatabase, checkHttpApi, checkKernel, type HttpApiTarget } from './checks-kernel.js';
import { checkPluginConfig, pluginFindings, type PluginCheck } from './checks-plugins.js';
import { fail, ok, type Finding } from './finding.js';

export type { Finding } from './finding.js';

export interface DoctorOptions {
  configFile?: string | undefined;
  /** Full `PRAGMA integrity_check` instead of `quick_check`. */
  full?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Timeout of each HTTP probe. */
  httpTimeoutMs?: number;
}

const HTTP_API_DEFAULT_PORT = 3778;

type PluginEntries = Record<string, { enabled: boolean; config: Record<string, unknown> }>;

/** A configured plugin by id: the entry the check resolved to that id, else a key naming it. */
function entryOf(plugins: PluginEntries, id: string, check: PluginCheck): { enabled: boolean; config: Record<string, unknown> } | undefined {
  const entry = check.ok ? check.records.find((r) => r.id === id)?.entry : undefined;
  if (entry !== undefined && plugins[entry]) return plugins[entry];
  for (const [key, value] of Object.entries(plugins)) {
    if (key === id || key === `@devflow/plugin-${id}` || new RegExp(`(^|[\\\\/])(plugin-)?${id}([\\\\/]|$)`).test(key)) return value;
  }
  return undefined;
}

/** Every check, in the order a person would look: config, kernel, port, database, disk, watches, plugins, clients. */
export async function runDoctor(options: DoctorOptions = {}): Promise<Finding[]> {
  const env = options.env ?? process.env;
  const findings: Finding[] = [];
  const loaded = loadOpsContext(options.configFile, env);
  if (!loaded.ok) {
    findings.push(fail('config', loaded.problems.map((p) => p.message).join('; '), 'devflow config validate lists each problem with its file, line and fix'));
    const databasePath = join(loaded.dataDir, 'devflow.db');
    findings.push(checkKernel(databasePath).finding, checkDatabase(databasePath, options.full === true), ...checkDataDir(databasePath), checkDisk(databasePath));
    findings.push(checkClaudeDesktop(env));
    return findings;
  }
  const c = loaded.context;
  const plugins = c.config.plugins as PluginEntries;
  findings.push(ok('config', `${c.configFile ?? 'no config file: embedded defaults'}; ${Object.values(plugins).filter((p) => p.enabled).length} plugin(s) enabled, ${c.config.projects.length} project(s)`));
  const kernel = checkKernel(c.databasePath);
  findings.push(kernel.finding);
  const pluginCheck = await checkPluginConfig(options.configFile, env);
  const api = entryOf(plugins, 'http-api', pluginCheck);
  const target: HttpApiTarget = {
    enabled: api?.enabled === true,
    host: typeof api?.config.host === 'string' ? api.config.host : '127.0.0.1',
    port: typeof api?.config.port === 'number' ? api.config.port : HTTP_API_DEFAULT_PORT,
  };
  const http = await checkHttpApi(target, kernel.holder?.live === true, options.httpTimeoutMs);
  findings.push(http.finding);
  findings.push(checkDatabase(c.databasePath, options.full === true), ...checkDataDir(c.databasePath), checkDisk(c.databasePath));
  const fm = entryOf(plugins, 'file-monitor', pluginCheck);
  findings.push(
    checkInotify(c.config.projects, {
      enabled: fm?.enabled === true,
      backend: typeof fm?.config.backend === 'string' ? fm.config.backend : 'auto',
      useDefaultIgnores: fm?.config.useDefaultIgnores !== false,
    }),
  );
  findings.push(...pluginFindings(pluginCheck, http.status));
  findings.push(checkClaudeDesktop(env));
  return findings;
}

/** The report for a terminal: a summary line, then one line per finding and its fix. */
export function formatFindings(findings: readonly Finding[]): string {
  const n = (s: Finding['status']) => findings.filter((f) => f.status === s).length;
  const label = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
  const width = Math.max(...findings.map((f) => f.check.length));
  const lines = [`devflow doctor: ${n('ok')} ok, ${n('warn')} warning(s), ${n('fail')} failure(s)`];
  for (const f of findings) {
    lines.push(`  ${label[f.status]}  ${f.check.padEnd(width)}  ${f.detail}`);
    if (f.fix) lines.push(`        ${' '.repeat(width)}  fix: ${f.fix}`);
  }
  return lines.join('\n');
}
