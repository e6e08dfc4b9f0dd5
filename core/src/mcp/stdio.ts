import { createWriteStream } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Kernel } from '../kernel.js';
import type { McpLogBridge } from './log-bridge.js';
import { createMcpServer, type McpSessionOptions } from './server.js';

/**
 * Keep stdout for the protocol alone: the transport gets its own stream on fd 1, and anything
 * else that writes to process.stdout or console.log (a plugin, a library) lands on stderr. One
 * stray line on stdout breaks clients such as Claude Desktop.
 */
export function reserveStdout(): NodeJS.WritableStream {
  const protocol = createWriteStream('', { fd: 1, autoClose: false });
  const toStderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = toStderr as typeof process.stdout.write;
  for (const m of ['log', 'info', 'debug'] as const) console[m] = console.error;
  return protocol;
}

/** Serve one MCP session over stdio until the client closes stdin. */
export async function serveStdio(kernel: Kernel, session: McpSessionOptions, bridge: McpLogBridge, stdout: NodeJS.WritableStream): Promise<void> {
  const { server, close } = createMcpServer(kernel, session);
  const detach = bridge.attach(server);
  const transport = new StdioServerTransport(process.stdin, stdout as never);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  detach();
  close();
  await server.close().catch(() => {});
}
