import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SetLevelRequestSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

const ORDER: LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

function fromPino(level: number): LoggingLevel {
  if (level >= 60) return 'critical';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warning';
  if (level >= 30) return 'info';
  return 'debug';
}

/** The lowest pino level value mapped to each MCP level (MCP debug takes pino trace and debug). */
const PINO_VALUE: Record<LoggingLevel, number> = { debug: 10, info: 30, notice: 30, warning: 40, error: 50, critical: 60, alert: 60, emergency: 60 };

/**
 * Forwards the kernel's log records to MCP clients as `notifications/message`, each session at the
 * level it asked for with `logging/setLevel` (until it asks: warnings and worse). A pino stream:
 * give it to the kernel's logger as an extra stream at level `trace`.
 */
export class McpLogBridge {
  private readonly sessions = new Map<Server, LoggingLevel>();

  constructor(private readonly defaultLevel: LoggingLevel = 'warning') {}

  /** Attach a session; handles its `logging/setLevel`. Returns the detach function. */
  attach(server: Server): () => void {
    this.sessions.set(server, this.defaultLevel);
    server.setRequestHandler(SetLevelRequestSchema, (request) => {
      this.sessions.set(server, request.params.level);
      return {};
    });
    return () => void this.sessions.delete(server);
  }

  /** The lowest pino level value some session wants (for the logger's gate); none: Infinity. */
  wants(): number {
    let lowest = Infinity;
    for (const min of this.sessions.values()) lowest = Math.min(lowest, PINO_VALUE[min]);
    return lowest;
  }

  write(chunk: string): void {
    if (!this.sessions.size) return;
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      const level = fromPino(Number(record.level));
      const { level: _l, time: _t, pid: _p, plugin, ...data } = record;
      for (const [server, min] of this.sessions) {
        if (ORDER.indexOf(level) < ORDER.indexOf(min)) continue;
        void server.sendLoggingMessage({ level, logger: typeof plugin === 'string' ? plugin : 'devflow', data }).catch(() => {});
      }
    }
  }
}
