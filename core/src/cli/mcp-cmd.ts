import type { Principal } from '@devflow/plugin-sdk';
import { McpLogBridge } from '../mcp/log-bridge.js';
import { resolveProfile } from '../mcp/profiles.js';
import { serveStdio, reserveStdout } from '../mcp/stdio.js';
import { messageOf } from '../errors.js';
import { formatReport } from '../report.js';
import { CliExit, openKernel, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

/** How long a stdio session waits for the client's first `tools/list` before starting the watchers. */
const WATCHERS_WAIT_MS = 1500;

export interface McpOptions extends GlobalOptions {
  http?: boolean;
  port?: string;
  host?: string;
  profile?: string;
  tools?: string;
  role?: string;
}

/**
 * `devflow mcp`: the kernel plus an MCP server, over stdio (what AI clients launch) or Streamable
 * HTTP. Several clients may each launch one: only the holder of the monitor lease runs monitors,
 * the others serve tools from the shared database and take over when it goes.
 */
export async function mcpCommand(options: McpOptions): Promise<number> {
  const stdout = options.http ? undefined : reserveStdout();
  const bridge = new McpLogBridge();
  // The watchers start once the client has its tool list (or after a moment without one): the
  // client's wait for `initialize` and `tools/list` should not include the monitors' start-up.
  let startWatchers: () => void = () => {};
  const leaseWorkAfter = new Promise<void>((resolve) => (startWatchers = resolve));
  const kernel = openKernel(options, { watchConfig: true, extraLogStreams: [{ level: 'trace', stream: bridge, wants: () => bridge.wants() }], leaseWorkAfter });
  const profile = resolveProfile(options.profile ?? kernel.config.mcp.profile, options.tools, kernel.config.mcp.profiles);
  if (typeof profile === 'string') {
    await kernel.stop();
    throw new CliExit(EXIT.USAGE, [`devflow: ${profile}`]);
  }
  const role = options.role ?? kernel.config.rbac.localRole;
  if (!kernel.rbac.roleNames().includes(role)) {
    await kernel.stop();
    throw new CliExit(EXIT.USAGE, [`devflow: unknown role "${role}"; roles: ${kernel.rbac.roleNames().join(', ')}`]);
  }
  const principal: Principal = { ...kernel.localPrincipal, role };
  const host = options.host ?? kernel.config.mcp.http.host;
  const port = options.port === undefined ? kernel.config.mcp.http.port : Number(options.port);
  if (options.http) {
    // The HTTP transport (and the SDK's Streamable HTTP server under it) is loaded only for --http:
    // a stdio session, what AI clients launch, starts ~25 ms faster without it.
    const { isLoopback } = await import('../mcp/http.js');
    // Refuse a bad listen address before starting anything, with the config error code.
    const why = !Number.isInteger(port) || port < 0 || port > 65535
      ? new CliExit(EXIT.USAGE, [`devflow: --port must be 0-65535, got ${options.port}`])
      : !isLoopback(host) && kernel.config.mcp.http.tokens.length === 0
        ? new CliExit(EXIT.CONFIG, [`devflow: KRN_ERR_CONFIG_INVALID: listening on ${host} (beyond loopback) needs bearer tokens: add mcp.http.tokens to the config, or listen on 127.0.0.1`])
        : undefined;
    if (why) {
      await kernel.stop();
      throw why;
    }
  }
  let stopRequested: () => void = () => {};
  const stopSignal = new Promise<void>((resolve) => (stopRequested = resolve));
  process.once('SIGINT', () => stopRequested());
  process.once('SIGTERM', () => stopRequested());
  process.on('unhandledRejection', (reason) => kernel.logger.error({ err: reason }, 'unhandled promise rejection (a plugin left a promise unhandled)'));

  const report = await kernel.start();
  process.stderr.write(`${formatReport(kernel.status(), report.problems)}\n`);
  setTimeout(startWatchers, options.http ? 0 : WATCHERS_WAIT_MS).unref();
  try {
    if (options.http) {
      const { serveHttp } = await import('../mcp/http.js');
      let http: Awaited<ReturnType<typeof serveHttp>>;
      try {
        http = await serveHttp(kernel, { ...kernel.config.mcp.http, port, host, profile, localPrincipal: principal, bridge });
      } catch (e) {
        throw new CliExit(EXIT.PROBLEMS, [`devflow: cannot serve MCP over HTTP on ${host}:${port}: ${messageOf(e)}`]);
      }
      process.stderr.write(`devflow: MCP over Streamable HTTP at ${http.url} (Ctrl-C to stop)\n`);
      const keepAlive = setInterval(() => {}, 60_000);
      await stopSignal;
      clearInterval(keepAlive);
      await http.close();
    } else {
      await Promise.race([serveStdio(kernel, { principal, profile, onToolsListed: startWatchers }, bridge, stdout as NodeJS.WritableStream), stopSignal]);
    }
  } finally {
    await kernel.stop();
  }
  return EXIT.OK;
}
