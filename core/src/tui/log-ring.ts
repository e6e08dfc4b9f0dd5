/** A pino destination that keeps the last warnings and errors of this process for the errors view. */
import type { LogLine } from './model.js';

const LEVELS: Readonly<Record<number, LogLine['level']>> = { 40: 'warn', 50: 'error', 60: 'fatal' };

export class LogRing {
  private readonly lines: LogLine[] = [];

  constructor(private readonly max = 50) {}

  /** pino calls this with one or more JSON lines. */
  write(chunk: string): void {
    for (const raw of chunk.split('\n')) {
      if (!raw) continue;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        rec = { level: 50, msg: raw };
      }
      const level = LEVELS[typeof rec.level === 'number' ? rec.level : 0];
      if (!level) continue;
      const code = typeof rec.code === 'string' ? `${rec.code}: ` : '';
      this.lines.unshift({
        ts: typeof rec.time === 'number' ? rec.time : Date.now(),
        level,
        plugin: typeof rec.plugin === 'string' ? rec.plugin : null,
        text: `${code}${typeof rec.msg === 'string' ? rec.msg : ''}`,
      });
      if (this.lines.length > this.max) this.lines.length = this.max;
    }
  }

  /** Newest first. */
  list(): readonly LogLine[] {
    return [...this.lines];
  }
}
