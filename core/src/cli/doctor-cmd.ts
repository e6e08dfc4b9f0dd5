import { formatFindings, runDoctor } from '../ops/doctor/doctor.js';
import { print, printJson, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/** `devflow doctor`: every health check with its fix; exits 1 when any check fails. */
export async function doctorCommand(options: GlobalOptions & { full?: boolean }): Promise<number> {
  const findings = await runDoctor({ configFile: options.config, full: options.full === true });
  const failed = findings.some((f) => f.status === 'fail');
  if (options.json) printJson({ ok: !failed, findings });
  else print(formatFindings(findings));
  return failed ? EXIT.PROBLEMS : EXIT.OK;
}
