import type { PluginStatus } from '@devflow/plugin-sdk';
import { ConfigError, Kernel, type KernelOptions } from '../kernel.js';
import { PluginError, messageOf } from '../errors.js';
import type { PluginRecord } from '../plugins/supervisor.js';
import { pluginStatus } from '../status.js';
import { CliExit } from './cli-exit.js';
import { EXIT } from './exit-codes.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export { CliExit } from './cli-exit.js';

/** Open the kernel for a CLI command, turning config and storage errors into clear exits. */
export function openKernel(options: GlobalOptions, extra: { watchConfig?: boolean; monitors?: boolean; quiet?: boolean; extraLogStreams?: KernelOptions['extraLogStreams']; leaseWorkAfter?: Promise<unknown> } = {}): Kernel {
  try {
    return Kernel.open({ configFile: options.config, watchConfig: extra.watchConfig ?? false, monitors: extra.monitors ?? true, ...(extra.quiet ? { logLevel: 'warn' as const } : {}), extraLogStreams: extra.extraLogStreams ?? [], leaseWorkAfter: extra.leaseWorkAfter });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliExit(EXIT.CONFIG, ['devflow: the config cannot be used:', ...e.problems.map((p) => `  ${p.message}`)]);
    if (e instanceof PluginError) throw new CliExit(EXIT.PROBLEMS, [`devflow: ${e.message}`]);
    throw new CliExit(EXIT.PROBLEMS, [`devflow: could not start: ${messageOf(e)}`]);
  }
}

/** A plugin record for --json output (what `devflow_status` reports, minus tools). */
export function recordToJson(r: PluginRecord): Omit<PluginStatus, 'tools'> {
  const { tools: _tools, ...rest } = pluginStatus(r);
  return rest;
}

/** A plain aligned table for terminals. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
