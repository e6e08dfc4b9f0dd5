import { backupDatabase, backupTarget } from '../ops/backup.js';
import { bytes } from '../ops/files.js';
import { OpsError } from '../ops/ops-error.js';
import { loadOpsContext, type OpsContext } from '../ops/context.js';
import { CliExit, print, printJson, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/** The config's paths, or the config exit (78) listing every problem. */
export function opsContext(options: GlobalOptions): OpsContext {
  const r = loadOpsContext(options.config);
  if (!r.ok) throw new CliExit(EXIT.CONFIG, ['devflow: the config cannot be used:', ...r.problems.map((p) => `  ${p.message}`)]);
  return r.context;
}

/** Run an operation, turning its refusal into `devflow: …` lines and exit 1. */
export async function runOp<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof OpsError) throw new CliExit(EXIT.PROBLEMS, e.lines());
    throw e;
  }
}

/** `devflow backup [path]`: an online, verified copy of the database. */
export async function backupCommand(path: string | undefined, options: GlobalOptions): Promise<number> {
  const c = opsContext(options);
  const target = backupTarget(path, c.dataDir);
  const r = await runOp(() => backupDatabase(c.databasePath, target));
  if (options.json) printJson({ ok: true, source: c.databasePath, ...r });
  else {
    print(`devflow: backed up ${c.databasePath}`);
    print(`  to       ${r.path}`);
    print(`  size     ${bytes(r.bytes)}`);
    print(`  events   ${r.events}`);
    print(`  checked  PRAGMA quick_check ok`);
    print(`  took     ${r.ms} ms`);
    print(`Restore it with: devflow restore ${r.path}`);
  }
  return EXIT.OK;
}
