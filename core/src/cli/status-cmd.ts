import { openKernel, print, printJson, recordToJson, table, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

function bytes(n: number | null): string {
  if (n === null) return '-';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** `devflow status`: version, config, database, monitor lease and each plugin's check result. */
export async function statusCommand(options: GlobalOptions): Promise<number> {
  const kernel = openKernel(options, { quiet: true });
  try {
    const s = kernel.status();
    const { plugins } = await kernel.check();
    const holder = s.lease.holder && s.lease.expiresAt && s.lease.expiresAt > Date.now() ? s.lease.holder : null;
    if (options.json) {
      printJson({ version: s.version, configFile: s.configFile, projects: s.projects, database: s.database, monitors: { running: !!holder, holder }, plugins: plugins.map(recordToJson) });
      return EXIT.OK;
    }
    print(`devflow ${s.version}`);
    print(`config     ${s.configFile ?? 'embedded defaults'}`);
    print(`projects   ${s.projects.length ? s.projects.join(', ') : '(none)'}`);
    print(`database   ${s.database.path} (${s.database.events} events, ${bytes(s.database.sizeBytes)})`);
    print(`monitors   ${holder ? `running in ${holder}` : 'not running'}`);
    print('');
    print(table(['PLUGIN', 'VERSION', 'CHECK', 'REASON'], plugins.map((p) => [p.id, p.version ?? '-', p.state, p.reason ? p.reason.code : ''])));
    return EXIT.OK;
  } finally {
    await kernel.stop();
  }
}
