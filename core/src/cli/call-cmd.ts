import type { ToolProgress } from '@devflow/plugin-sdk';
import { CliExit, openKernel, print, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/** `key=value` pairs to arguments; values are JSON when they parse (`limit=5`, `on=true`), else strings. */
export function parseToolArgs(pairs: readonly string[], json?: string): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (json !== undefined) {
    try {
      args = JSON.parse(json) as Record<string, unknown>;
    } catch (e) {
      throw new CliExit(EXIT.USAGE, [`devflow: --json-args is not JSON: ${(e as Error).message}`]);
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new CliExit(EXIT.USAGE, ['devflow: --json-args must be a JSON object']);
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CliExit(EXIT.USAGE, [`devflow: argument "${pair}" is not key=value`]);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    args[pair.slice(0, eq)] = value;
  }
  return args;
}

function progressLine(p: ToolProgress): string {
  const pct = p.total ? ` ${Math.floor((p.progress / p.total) * 100)}%` : '';
  const width = 24;
  const bar = p.total ? `[${'#'.repeat(Math.round((p.progress / p.total) * width)).padEnd(width, '.')}]` : '';
  return `${bar}${pct} ${p.message ?? `${p.progress}${p.total ? `/${p.total}` : ''}`}`.trim();
}

/**
 * `devflow call <tool> [key=value…]`: call any tool through the kernel's tool path as the local
 * user, with progress on stderr (a bar on a terminal), the JSON result on stdout. Runs without the
 * monitor lease: a running DevFlow keeps its monitors.
 */
export async function callCommand(tool: string, pairs: string[], options: GlobalOptions & { jsonArgs?: string; role?: string }): Promise<number> {
  const args = parseToolArgs(pairs, options.jsonArgs);
  const kernel = openKernel(options, { monitors: false, quiet: true });
  try {
    await kernel.start();
    const principal = options.role ? { ...kernel.localPrincipal, role: options.role } : kernel.localPrincipal;
    const tty = process.stderr.isTTY;
    const result = await kernel.callTool(tool, args, principal, {
      onProgress: (p) => process.stderr.write(tty ? `\r\x1b[2K${progressLine(p)}` : `${progressLine(p)}\n`),
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    if (!result.ok) {
      throw new CliExit(EXIT.PROBLEMS, [`devflow: ${result.error.code}: ${result.error.message}`, ...(result.error.issues ?? []).map((i) => `  ${i.path}: ${i.message}`)]);
    }
    print(JSON.stringify(result.value, null, 2));
    return EXIT.OK;
  } finally {
    await kernel.stop();
  }
}
