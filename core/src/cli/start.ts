import { formatReport } from '../report.js';
import { CliExit, openKernel, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/**
 * `devflow start`: run the kernel in the foreground until SIGINT/SIGTERM. Exits non-zero only when
 * nothing useful can run, or with --fail-fast when any plugin has a problem.
 */
export async function startCommand(options: GlobalOptions & { failFast?: boolean }): Promise<number> {
  // Listen for signals first, so Ctrl-C during startup still stops cleanly.
  let stopRequested: () => void = () => {};
  const stop = new Promise<void>((resolve) => (stopRequested = resolve));
  const onSignal = () => stopRequested();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const kernel = openKernel(options, { watchConfig: true });
  // Plugin code can still throw outside the kernel's wrappers (its own timers, sockets). A stray
  // rejection is logged and the kernel runs on; an uncaught exception stops it cleanly.
  process.on('unhandledRejection', (reason) => kernel.logger.error({ err: reason }, 'unhandled promise rejection (a plugin left a promise unhandled)'));
  process.once('uncaughtException', (err) => {
    kernel.logger.fatal({ err }, 'uncaught exception; stopping');
    process.exitCode = EXIT.PROBLEMS;
    stopRequested();
  });
  // The dashboard's sign-in link, once the http-api plugin listens (core knows the plugin only by its
  // event and API, not its package).
  kernel.hooks.tap('eventStored', 'cli:start', (events: unknown) => {
    if (!(events as { type: string }[]).some((e) => e.type === 'http-api.server.listening')) return;
    const login = (kernel.pluginApi('http-api') as { loginUrl?: () => string | null } | undefined)?.loginUrl?.();
    if (login) process.stderr.write(`devflow: dashboard at ${login}\n`);
  });
  const report = await kernel.start();
  const status = kernel.status();
  process.stderr.write(`${formatReport(status, report.problems)}\n`);
  const running = status.plugins.filter((p) => p.state === 'started' || p.state === 'standby').length;
  if ((options.failFast || kernel.config.kernel.failFast) && report.problems.length) {
    await kernel.stop();
    throw new CliExit(EXIT.PROBLEMS, ['devflow: stopping because of --fail-fast']);
  }
  if (running === 0) {
    await kernel.stop();
    const where = kernel.configFile ?? 'the embedded defaults';
    throw new CliExit(EXIT.PROBLEMS, [`devflow: nothing can run: no plugin started (config: ${where}); see the problems above or enable plugins`]);
  }
  process.stderr.write(
    `devflow: running (pid ${process.pid}; database ${kernel.databasePath}; config ${kernel.configFile ?? 'embedded defaults'}). Press Ctrl-C to stop.\n`,
  );
  // Signal listeners do not keep Node alive, and the kernel's own timers are unref'd.
  const keepAlive = setInterval(() => {}, 60_000);
  await stop;
  clearInterval(keepAlive);
  process.stderr.write('devflow: stopping\n');
  await kernel.stop();
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
}
