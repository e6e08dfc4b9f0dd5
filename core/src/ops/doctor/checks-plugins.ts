import { Kernel } from '../../kernel.js';
import { createRootLogger } from '../../logger.js';
import { messageOf } from '../../errors.js';
import type { PluginRecord } from '../../plugins/supervisor.js';
import { fail, ok, warn, worst, type Finding } from './finding.js';
import type { RemoteStatus } from './checks-kernel.js';

export type PluginCheck = { ok: true; records: PluginRecord[]; configFile: string | null } | { ok: false; error: string };

/** The config check of every plugin (loaded and resolved, nothing started, on a throw-away in-memory database). */
export async function checkPluginConfig(configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<PluginCheck> {
  let kernel: Kernel;
  try {
    const logger = createRootLogger({ level: 'silent', destination: { write: () => true } });
    kernel = Kernel.open({ configFile, databasePath: ':memory:', monitors: false, watchConfig: false, logger, env });
  } catch (e) {
    return { ok: false, error: messageOf(e).split('\n')[0] ?? 'unknown error' };
  }
  try {
    return { ok: true, records: (await kernel.check()).plugins, configFile: kernel.configFile };
  } finally {
    await kernel.stop();
  }
}

/** One finding for the healthy plugins together, one per plugin with a problem (config check merged with the running kernel's view). */
export function pluginFindings(check: PluginCheck, remote: RemoteStatus | null): Finding[] {
  if (!check.ok) return [fail('plugins', `the plugins cannot be checked: ${check.error}`, 'devflow config validate')];
  const file = check.configFile ?? 'a config file (devflow init creates one)';
  const healthy: string[] = [];
  const out: Finding[] = [];
  for (const p of check.records) {
    const check = `plugin:${p.id}`;
    let f: Finding;
    if (p.state === 'disabled') f = ok(check, 'disabled');
    else if (p.state === 'failed') f = fail(check, `fails its check: ${p.reason?.code}: ${p.reason?.detail}`, `fix plugins["${p.entry}"] in ${file} as the message says, or devflow plugins disable ${p.id}`);
    else if (p.state === 'skipped') f = warn(check, `cannot start: ${p.reason?.code}: ${p.reason?.detail}`, `enable or fix its dependency in ${file}, or devflow plugins disable ${p.id}`);
    else f = ok(check, 'configured and resolves');
    const live = remote?.plugins.find((r) => r.id === p.id);
    if (live) f = merge(f, live);
    if (f.status === 'ok') healthy.push(p.state === 'disabled' ? `${p.id} (disabled)` : p.id);
    else out.push(f);
  }
  if (!check.records.length) return [warn('plugins', 'no plugin is configured: nothing is recorded', `add plugins to ${file} (devflow init), or remove "plugins": {} to get the defaults`)];
  const view = remote ? '; the running kernel reports no problem with them' : '';
  if (healthy.length) out.unshift(ok('plugins', `${healthy.length} plugin(s) check out: ${healthy.join(', ')}${view}`));
  return out;
}

function merge(f: Finding, live: RemoteStatus['plugins'][number]): Finding {
  const parts = [f.detail, `running kernel: ${live.state}${live.reason ? ` (${live.reason})` : ''}`];
  let status = f.status;
  let fix = f.fix;
  if (live.state === 'failed' || live.state === 'skipped') {
    status = worst(status, 'fail');
    fix ??= `see the kernel's log; after fixing, devflow plugins disable ${live.id} && devflow plugins enable ${live.id} restarts it`;
  }
  if (live.lastError) {
    parts.push(`last error: ${live.lastError}`);
    status = worst(status, 'warn');
    fix ??= "see the kernel's log around that error (logging.file, or the terminal running devflow start)";
  }
  return { check: f.check, status, detail: parts.join('; '), fix };
}
