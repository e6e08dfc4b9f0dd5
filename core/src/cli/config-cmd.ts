import { CliExit, openKernel, print, printJson, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/** `devflow config validate`: check the config and every plugin, start nothing. */
export async function validateCommand(options: GlobalOptions): Promise<number> {
  let kernel;
  try {
    kernel = openKernel(options, { quiet: true });
  } catch (e) {
    if (options.json && e instanceof CliExit) {
      printJson({ ok: false, file: options.config ?? null, problems: e.lines.slice(1).map((l) => l.trim()) });
      return e.code;
    }
    throw e;
  }
  try {
    const { plugins, problems } = await kernel.check();
    const file = kernel.configFile ?? '(embedded defaults)';
    if (options.json) {
      printJson({ ok: problems.length === 0, file, problems: problems.map((p) => ({ plugin: p.plugin ?? null, code: p.code, detail: p.detail })) });
    } else if (problems.length) {
      process.stderr.write(`devflow: ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${p.message}`).join('\n')}\n`);
    } else {
      const enabled = plugins.filter((p) => p.state !== 'disabled').length;
      print(`devflow: ${file} is valid: ${plugins.length} plugin${plugins.length === 1 ? '' : 's'}, ${enabled} enabled`);
    }
    return problems.length ? EXIT.PROBLEMS : EXIT.OK;
  } finally {
    await kernel.stop();
  }
}
