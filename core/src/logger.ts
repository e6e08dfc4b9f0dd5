import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type { PinoLogger };

/** A second place log records go, with its own minimum level (e.g. MCP clients). */
export interface ExtraLogStream {
  level: LevelWithSilent;
  stream: { write(chunk: string): unknown };
  /**
   * The lowest pino level value the stream wants right now (e.g. what MCP clients asked for with
   * `logging/setLevel`); records below every stream's wish are dropped before they are serialized.
   */
  wants?: () => number;
}

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Write to this file instead of stderr. */
  file?: string | undefined;
  /** A custom destination (tests capture logs this way). */
  destination?: { write(chunk: string): unknown };
  /** Also send records to these streams, each filtered by its own level. */
  extra?: readonly ExtraLogStream[];
}

const LEVELS: LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * The root logger. It writes to stderr (fd 2) or a file and never to stdout, which belongs to the
 * MCP stdio protocol. Writes are synchronous so nothing is lost when the process exits.
 */
export function createRootLogger(options: LoggerOptions = {}): PinoLogger {
  const level = options.level ?? 'info';
  const base = { base: { pid: process.pid }, serializers: { err: pino.stdSerializers.err } };
  let main: { write(chunk: string): unknown };
  if (options.destination) main = options.destination;
  else if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    main = pino.destination({ dest: options.file, sync: true, mkdir: true });
  } else main = process.stderr.isTTY && process.env.DEVFLOW_LOG_FORMAT !== 'json' ? prettyStderr() : pino.destination({ fd: 2, sync: true });
  if (!options.extra?.length) return pino({ ...base, level }, main);
  // With extra streams the logger itself runs at the most verbose level any stream wants.
  const streams = [{ level, stream: main }, ...options.extra];
  const lowest = LEVELS[Math.min(...streams.map((s) => LEVELS.indexOf(s.level)))] as LevelWithSilent;
  // Running at the lowest level would serialize every trace record on every tool call only for
  // most of them to be dropped: a record is built only when some stream wants it now.
  const mainValue = pino.levels.values[level] ?? Infinity;
  const extras = options.extra;
  const gate = () => Math.min(mainValue, ...extras.map((s) => (s.wants ? s.wants() : (pino.levels.values[s.level] ?? Infinity))));
  return pino(
    {
      ...base,
      level: lowest,
      hooks: {
        logMethod(args, method, levelValue) {
          if (levelValue >= gate()) method.apply(this, args);
        },
      },
    },
    pino.multistream(streams.map((s) => ({ level: s.level as never, stream: s.stream as never }))),
  );
}

/**
 * Human-readable lines for a person watching a terminal (`devflow start`): time, level, plugin,
 * message. Pipes, files and CI keep JSON lines; `DEVFLOW_LOG_FORMAT=json` forces them on a terminal.
 * pino-pretty is loaded only here, so no other start pays for it.
 */
function prettyStderr(): { write(chunk: string): unknown } {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => { write(chunk: string): unknown };
  return pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,plugin', singleLine: true, messageFormat: '{if plugin}[{plugin}] {end}{msg}' });
}
