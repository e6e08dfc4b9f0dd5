import type { Migration, SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { Sample } from './sampler.js';

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'samples',
    up: `CREATE TABLE system_monitor__samples (
           ts INTEGER NOT NULL, pid INTEGER NOT NULL, cpu REAL, rss REAL, heap REAL,
           lag_p99 REAL, lag_max REAL, db REAL, queue INTEGER, ingest REAL);
         CREATE INDEX system_monitor__samples_ts ON system_monitor__samples (ts);`,
    down: 'DROP TABLE system_monitor__samples',
  },
];

const COLUMNS: [keyof Sample, string][] = [
  ['cpuPercent', 'cpu'],
  ['rssMb', 'rss'],
  ['heapUsedMb', 'heap'],
  ['loopLagP99Ms', 'lag_p99'],
  ['loopLagMaxMs', 'lag_max'],
  ['dbMb', 'db'],
  ['queueDepth', 'queue'],
  ['ingestPerSec', 'ingest'],
];

export interface WindowStats {
  samples: number;
  latest: Sample | null;
  avg: Partial<Record<keyof Sample, number>>;
  max: Partial<Record<keyof Sample, number>>;
}

/** Samples in the plugin's own table, pruned to the retention window. */
export class SampleStore {
  private readonly insert: SqlStatement;

  constructor(private readonly db: SqlDatabase) {
    this.insert = db.prepare(`INSERT INTO system_monitor__samples (ts, pid, ${COLUMNS.map(([, c]) => c).join(', ')}) VALUES (?, ?, ${COLUMNS.map(() => '?').join(', ')})`);
  }

  add(s: Sample, pid = process.pid): void {
    this.insert.run(s.ts, pid, ...COLUMNS.map(([k]) => s[k]));
  }

  prune(olderThan: number): number {
    return this.db.prepare('DELETE FROM system_monitor__samples WHERE ts < ?').run(olderThan).changes;
  }

  window(since: number): WindowStats {
    const agg = COLUMNS.map(([, c]) => `avg(${c}) AS avg_${c}, max(${c}) AS max_${c}`).join(', ');
    const row = this.db.prepare(`SELECT count(*) AS n, ${agg} FROM system_monitor__samples WHERE ts >= ?`).get(since) as Record<string, number | null>;
    const last = this.db.prepare('SELECT * FROM system_monitor__samples ORDER BY ts DESC LIMIT 1').get() as Record<string, number> | undefined;
    const avg: WindowStats['avg'] = {};
    const max: WindowStats['max'] = {};
    for (const [k, c] of COLUMNS) {
      if (row[`avg_${c}`] != null) avg[k] = Math.round((row[`avg_${c}`] as number) * 10) / 10;
      if (row[`max_${c}`] != null) max[k] = row[`max_${c}`] as number;
    }
    const latest = last ? (Object.fromEntries([['ts', last.ts], ...COLUMNS.map(([k, c]) => [k, last[c]])]) as unknown as Sample) : null;
    return { samples: row.n ?? 0, latest, avg, max };
  }
}
