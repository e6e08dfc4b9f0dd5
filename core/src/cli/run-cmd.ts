import type { Command } from 'commander';
import { CliExit, openKernel, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

const KINDS = ['test', 'build', 'deploy', 'other'];

/** The part of the test-monitor plugin's API this command uses (the plugin owns the logic). */
interface RunApi {
  run(argv: readonly string[], options: { cwd: string; forwardSignals: boolean; kind?: string }): Promise<{ exitCode: number; signal: NodeJS.Signals | null }>;
}

export interface RunArgs {
  command: string[];
  kind?: string;
  config?: string;
}

/**
 * Split the raw command line of `devflow [-c file] run [--kind k] [--] <command…>`. Commander
 * reads known options anywhere on the line, so `devflow run python -c 'print(1)'` would hand
 * `-c` to devflow; everything after `run` and its own options belongs to the command instead.
 */
export function splitRunArgs(args: readonly string[]): RunArgs {
  const out: RunArgs = { command: [] };
  let i = 0;
  for (; i < args.length && args[i] !== 'run'; i++) {
    const t = args[i] as string;
    if (t === '-c' || t === '--config') out.config = args[++i];
    else if (t.startsWith('--config=')) out.config = t.slice('--config='.length);
    else if (/^-c./.test(t)) out.config = t.slice(2);
  }
  for (i++; i < args.length; i++) {
    const t = args[i] as string;
    if (t === '--') {
      i++;
      break;
    }
    if (t === '--kind') out.kind = args[++i];
    else if (t.startsWith('--kind=')) out.kind = t.slice('--kind='.length);
    else break;
  }
  out.command = args.slice(i);
  return out;
}

/** The run arguments of a parsed `run` command, from the raw command line (commander keeps it as `rawArgs`). */
export function runArgsOf(cmd: Command): RunArgs {
  const raw = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs;
  return splitRunArgs(raw ? raw.slice(2) : ['run', ...cmd.args]);
}

/**
 * `devflow run [--kind k] -- <command…>`: run a command with its output passed through unchanged
 * and its exit code as devflow's own, recorded by the test-monitor plugin (runner summaries,
 * failing tests, coverage, build/deploy events). Runs without the monitor lease. When a signal
 * ended the command, devflow ends itself with the same signal once the events are stored.
 */
export async function runCmd(args: RunArgs, options: GlobalOptions): Promise<number> {
  if (!args.command.length) throw new CliExit(EXIT.USAGE, ['devflow: run needs a command: devflow run -- <command> [args...]']);
  if (args.kind !== undefined && !KINDS.includes(args.kind)) throw new CliExit(EXIT.USAGE, [`devflow: --kind must be one of ${KINDS.join(', ')}`]);
  // Only a --config before `run` is devflow's (commander also reads one after the command).
  const kernel = openKernel({ ...options, config: args.config }, { monitors: false, quiet: true });
  let outcome: { exitCode: number; signal: NodeJS.Signals | null };
  try {
    await kernel.start();
    const api = kernel.pluginApi('test-monitor') as RunApi | undefined;
    if (typeof api?.run !== 'function') {
      const p = kernel.status().plugins.find((s) => s.id === 'test-monitor');
      const state = p ? `${p.state}${p.reason ? ` (${p.reason})` : ''}` : 'not enabled in the config';
      throw new CliExit(EXIT.PROBLEMS, [`devflow: "devflow run" needs the test-monitor plugin, which is ${state}.`, '  Enable it with: devflow plugins enable test-monitor']);
    }
    outcome = await api.run(args.command, { cwd: process.cwd(), forwardSignals: true, ...(args.kind ? { kind: args.kind } : {}) });
  } finally {
    await kernel.stop();
  }
  if (outcome.signal && process.platform !== 'win32') process.kill(process.pid, outcome.signal);
  return outcome.exitCode;
}
