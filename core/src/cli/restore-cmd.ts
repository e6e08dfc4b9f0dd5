import { restartHint } from '../ops/processes.js';
import { restoreDatabase } from '../ops/restore.js';
import { print, printJson, type GlobalOptions } from './common.js';
import { opsContext, runOp } from './backup-cmd.js';
import { EXIT } from './exit-codes.js';

/** `devflow restore <file> [--force]`: verify a backup and swap it in for the database. */
export async function restoreCommand(file: string, options: GlobalOptions & { force?: boolean }): Promise<number> {
  const c = opsContext(options);
  const r = await runOp(() => restoreDatabase({ file, databasePath: c.databasePath, force: options.force === true }));
  if (options.json) {
    printJson({ ok: true, ...r });
    return EXIT.OK;
  }
  print(`devflow: restored ${r.source}`);
  print(`  into       ${r.databasePath} (${r.events} events, kernel schema ${r.kernelVersion}, integrity_check ok)`);
  print(`  previous   ${r.keptAs ?? '(there was no database)'}`);
  for (const s of r.stopped) print(`  stopped    pid ${s.pid}${s.command ? ` (${s.command})` : ''}: ${restartHint(s.command, s.cwd)}`);
  print('The next devflow start or devflow mcp uses the restored database.');
  if (r.keptAs) print(`To undo: devflow restore ${r.keptAs}`);
  return EXIT.OK;
}
