import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type { PinoLogger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Write to this file instead of stderr. */
  file?: string | undefined;
  /** A custom destination (tests capture logs this way). */
  destination?: { write(chunk: string): unknown };
}

/**
 * The root logger. It writes to stderr (fd 2) or a file and never to stdout, which belongs to the
 * MCP stdio protocol. Writes are synchronous so nothing is lost when the process exits.
 */
export function createRootLogger(options: LoggerOptions = {}): PinoLogger {
  const level = options.level ?? 'info';
  const base = { base: { pid: process.pid }, level, serializers: { err: pino.stdSerializers.err } };
  if (options.destination) return pino(base, options.destination);
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    return pino(base, pino.destination({ dest: options.file, sync: true, mkdir: true }));
  }
  return pino(base, pino.destination({ fd: 2, sync: true }));
}
