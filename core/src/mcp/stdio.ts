import { Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Kernel } from '../kernel.js';
import type { McpLogBridge } from './log-bridge.js';
import { createMcpServer, type McpSessionOptions } from './server.js';

/**
 * Keep stdout for the protocol alone: the transport gets the real stdout stream's own write, and
 * anything else that writes to process.stdout or console.log (a plugin, a library) lands on
 * stderr. One stray line on stdout breaks clients such as Claude Desktop.
 *
 * The protocol writes go through process.stdout's own stream (not a second stream on fd 1): on
 * Linux a pipe on fd 1 is non-blocking once process.stdout exists, and a plain fs write stream
 * fails with EAGAIN (crashing the process) as soon as one message is larger than the pipe buffer.
 */
export function reserveStdout(): NodeJS.WritableStream {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout) as (chunk: Buffer, callback: (err?: Error | null) => void) => boolean;
  const protocol = new Writable({ write: (chunk: Buffer, _encoding, callback) => void write(chunk, (err) => callback(err ?? null)) });
  // A client that goes away breaks the pipe (EPIPE): that ends the session (serveStdio then stops
  // the kernel cleanly), it is not a crash. The CLI's own "EPIPE: exit now" handler, right for
  // one-shot commands, would skip that shutdown, so the protocol stream's handler replaces it.
  stdout.removeAllListeners('error');
  stdout.on('error', (err) => protocol.destroy(err));
  protocol.on('error', () => {});
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
    stdout.once('error', () => resolve());
  });
  await server.connect(transport);
  await closed;
  detach();
  close();
  await server.close().catch(() => {});
}
