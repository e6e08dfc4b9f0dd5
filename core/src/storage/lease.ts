import { hostname } from 'node:os';
import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface LeaseHolder {
  name: string;
  owner: string;
  pid: number;
  host: string;
  acquiredAt: number;
  expiresAt: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A named lease in the shared database: one owner at a time, renewed by the owner before it
 * expires. A holder on this host whose process is gone is taken over at once; otherwise the lease
 * is free when it expires. Acquisition runs in an IMMEDIATE transaction, so two processes racing
 * for it cannot both win.
 */
export class Lease {
  readonly owner: string;
  private readonly tryTake: () => boolean;
  private readonly read: Database.Statement;

  constructor(
    private readonly db: Db,
    readonly name: string,
    readonly ttlMs: number,
    owner?: string,
  ) {
    this.owner = owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    const host = hostname();
    const read = (this.read = db.prepare('SELECT * FROM leases WHERE name = ?'));
    const upsert = db.prepare(
      `INSERT INTO leases (name, owner, pid, host, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
         acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
         expires_at = excluded.expires_at`,
    );
    const take = db.transaction(() => {
      const now = Date.now();
      const row = read.get(this.name) as { owner: string; pid: number; host: string; expires_at: number } | undefined;
      const free = !row || row.owner === this.owner || row.expires_at <= now || (row.host === host && !alive(row.pid));
      if (free) upsert.run(this.name, this.owner, process.pid, host, now, now + this.ttlMs);
      return free;
    });
    this.tryTake = () => take.immediate();
  }

  /** Take or renew the lease. True when this process holds it afterwards. */
  acquire(): boolean {
    return this.tryTake();
  }

  holder(): LeaseHolder | undefined {
    const r = this.read.get(this.name) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      name: r.name as string,
      owner: r.owner as string,
      pid: r.pid as number,
      host: r.host as string,
      acquiredAt: r.acquired_at as number,
      expiresAt: r.expires_at as number,
    };
  }

  release(): void {
    this.db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?').run(this.name, this.owner);
  }
}
