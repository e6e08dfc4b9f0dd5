import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DevflowEvent } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';

/**
 * Events the database refused until shutdown are not dropped: they go to a JSON Lines file next
 * to the database, and the next start writes them into the log (ids make it idempotent).
 */
export function spillEvents(dir: string, events: readonly DevflowEvent[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `events-${Date.now()}-${process.pid}.jsonl`);
  appendFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return file;
}

/** Write spilled events into the log (skipping ids already there); returns how many were added. */
export function recoverSpilled(db: Database.Database, dir: string): { files: number; added: number; bad: number } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return { files: 0, added: 0, bad: 0 };
  }
  const insert = db.prepare('INSERT OR IGNORE INTO events (id, ts, type, source, project, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let added = 0;
  let bad = 0;
  for (const name of names.sort()) {
    const file = join(dir, name);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    db.transaction(() => {
      for (const line of lines) {
        try {
          const e = JSON.parse(line) as DevflowEvent;
          added += insert.run(e.id, e.ts, e.type, e.source, e.project, e.severity, JSON.stringify(e.data)).changes;
        } catch {
          bad++;
        }
      }
    })();
    // Keep what could not be read for a person to look at; the rest is done.
    if (bad) renameSync(file, `${file}.unreadable`);
    else rmSync(file);
  }
  return { files: names.length, added, bad };
}
