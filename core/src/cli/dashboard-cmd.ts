import type { Principal } from '@devflow/plugin-sdk';
import { ConfigError, Kernel } from '../kernel.js';
import { PluginError, messageOf } from '../errors.js';
import { createRootLogger } from '../logger.js';
import { Collector } from '../tui/collect.js';
import { LiveDashboard } from '../tui/live.js';
import { LogRing } from '../tui/log-ring.js';
import { VIEWS, type View } from '../tui/model.js';
import { plainText, renderFrame } from '../tui/render.js';
import { Screen } from '../tui/screen.js';
import { CliExit, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

export interface DashboardOptions extends GlobalOptions {
  view?: string;
  once?: boolean;
  interval?: string;
}

const MIN_INTERVAL = 100;
const MAX_INTERVAL = 3_600_000;

/** Checked options, or a usage error naming the bad value and what would do. */
export function dashboardSettings(o: DashboardOptions): { view: View; intervalMs: number; once: boolean } {
  const view = (o.view ?? 'activity') as View;
  if (!VIEWS.includes(view)) throw new CliExit(EXIT.USAGE, [`devflow: --view "${String(o.view).slice(0, 40)}" is not a view; use one of ${VIEWS.join(', ')}`]);
  const raw = o.interval ?? '1000';
  const intervalMs = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(intervalMs >= MIN_INTERVAL && intervalMs <= MAX_INTERVAL)) {
    throw new CliExit(EXIT.USAGE, [`devflow: --interval "${raw.slice(0, 40)}" must be a whole number of milliseconds from ${MIN_INTERVAL} to ${MAX_INTERVAL}, e.g. --interval 2000`]);
  }
  return { view, intervalMs, once: o.once === true };
}

/** Like openKernel, but this process's log goes to `logs` (shown in the errors view), never onto the screen. */
function open(options: GlobalOptions, logs: LogRing): Kernel {
  try {
    return Kernel.open({ configFile: options.config, watchConfig: false, monitors: false, logger: createRootLogger({ level: 'warn', destination: logs }) });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliExit(EXIT.CONFIG, ['devflow: the config cannot be used:', ...e.problems.map((p) => `  ${p.message}`)]);
    if (e instanceof PluginError) throw new CliExit(EXIT.PROBLEMS, [`devflow: ${e.message}`]);
    throw new CliExit(EXIT.PROBLEMS, [`devflow: could not start: ${messageOf(e)}`]);
  }
}

/** Columns for a plain frame: the terminal's, else $COLUMNS, else 100. */
function plainWidth(): number {
  const env = Number(process.env.COLUMNS);
  return process.stdout.columns || (Number.isInteger(env) && env >= 20 && env <= 1000 ? env : 100);
}

/**
 * `devflow dashboard`: a live terminal view of activity, performance and errors, read from the
 * shared database like `devflow call` (no monitor lease: a running DevFlow keeps its monitors).
 * Not on a terminal, or with --once: one plain frame on stdout.
 */
export async function dashboardCommand(options: DashboardOptions): Promise<number> {
  const { view, intervalMs, once } = dashboardSettings(options);
  const live = !once && process.stdout.isTTY === true && process.env.TERM !== 'dumb';
  const logs = new LogRing();
  const kernel = open(options, logs);
  // The local user's role; the id tells the dashboard's own (audited) calls apart from an assistant's.
  const principal: Principal = { ...kernel.localPrincipal, id: `${kernel.localPrincipal.id}:dashboard` };
  try {
    if (!live) {
      await kernel.start();
      // One frame should show settled answers: this process's own events written, analyzers caught up (bounded wait).
      kernel.flush();
      await Promise.race([kernel.projections.ready(), new Promise((r) => setTimeout(r, 2000).unref())]);
      const state = await new Collector(kernel, { principal, logs }).collect(true);
      process.stdout.write(`${plainText(renderFrame(state, { view, width: plainWidth(), height: Infinity, live: false, intervalMs }))}\n`);
      return EXIT.OK;
    }
    return await runLive(kernel, { principal, logs, view, intervalMs });
  } finally {
    await kernel.stop();
  }
}

async function runLive(kernel: Kernel, o: { principal: Principal; logs: LogRing; view: View; intervalMs: number }): Promise<number> {
  const { stdin, stdout } = process;
  const screen = new Screen(stdout, stdin.isTTY ? stdin : undefined, !('NO_COLOR' in process.env));
  let collector: Collector | undefined;
  let started: Promise<unknown> | undefined;
  const dash = new LiveDashboard({
    screen,
    view: o.view,
    intervalMs: o.intervalMs,
    collect: async (force) => {
      // Started inside the live view, so the screen shows progress while the plugins start.
      await (started ??= kernel.start());
      collector ??= new Collector(kernel, { principal: o.principal, logs: o.logs });
      return collector.collect(force);
    },
    suspend: () => {
      screen.leave();
      // Stops here until continued (`fg`); in an orphaned process group the signal is discarded
      // and this returns at once. Either way the view comes back.
      process.kill(process.pid, 'SIGTSTP');
      screen.enter();
      dash.redraw();
    },
  });
  const onKeys = (chunk: Buffer | string) => dash.keys(chunk.toString());
  const onQuit = () => dash.quit();
  const onContinue = () => (screen.enter(), dash.redraw());
  const onExit = () => screen.leave();
  // A terminal that went away (SSH dropped) fails writes: stop instead of crashing.
  const onWriteError = () => dash.quit();
  const onCrash = (e: unknown) => {
    screen.leave();
    process.stderr.write(`devflow: dashboard failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(EXIT.PROBLEMS);
  };
  // Every listener this command adds, so the same table removes them all again.
  type Listener = [NodeJS.EventEmitter, string, (...args: any[]) => void]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const listeners: Listener[] = [
    ...(stdin.isTTY ? [[stdin, 'data', onKeys] as Listener] : []),
    [stdout, 'resize', dash.redraw],
    [stdout, 'error', onWriteError],
    ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s): Listener => [process, s, onQuit]),
    [process, 'SIGCONT', onContinue],
    [process, 'exit', onExit],
    [process, 'uncaughtException', onCrash],
    [process, 'unhandledRejection', onCrash],
  ];
  for (const [emitter, event, fn] of listeners) emitter.on(event, fn);
  try {
    await dash.run();
    return EXIT.OK;
  } finally {
    screen.leave();
    for (const [emitter, event, fn] of listeners) emitter.off(event, fn);
  }
}
