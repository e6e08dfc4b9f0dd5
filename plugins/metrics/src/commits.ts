// The commits seen, by hash: counted once, AI-assisted or not, and whether a squash merge already
// added their change. SQL only; no kernel.
//
// Rows are keyed by the UTC day of the time the hash was reported at, then the hash. So the rows a
// batch writes sit together at the end of the table (one random page per commit in a hash-keyed
// table was the largest write cost of the fold). A commit claims its hash in its own day, one
// statement (a re-report by another worktree, a backfill or a replay carries the same commit time).
// An attribution or a squash merge, which usually comes after its commit, looks within `LATE_DAYS`
// days either side; one that comes first leaves a placeholder in its day and the days either side,
// so the commit finds it when dated within a day of it.
//
// Rows are small, since a batch's commits land on random pages of their day (a hash's place in it):
// the hash as bytes (`hashKey`) and the commit event by its `seq`, not its 36-character id.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';

const DAY = 86_400_000;
const HEX = /^(?:[0-9a-f]{2})+$/;

export type HashKey = string | Buffer;

/**
 * How a hash is stored and looked up: lowercase hex of even length as its bytes (half the size),
 * anything else as the text. One-to-one (uppercase hex stays text, and text never equals a blob),
 * so two hashes share a key only when they are the same string. Every table keyed by hash uses it.
 */
export function hashKey(hash: string): HashKey {
  return HEX.test(hash) ? Buffer.from(hash, 'hex') : hash;
}

/** A day and the two either side (where a placeholder's siblings are). */
const around = (d: number) => [d - 2, d - 1, d, d + 1, d + 2];
/** How far (days) an attribution or a squash merge may be dated from the commit it names. */
export const LATE_DAYS = 7;

export interface CommitRow {
  day: number;
  project: number | null;
  ts: number | null;
  /** The commit event's `seq` (to read it back). */
  seq: number | null;
  counted: number;
  ai: number;
  added: number;
  merge: number;
  squash_project: number | null;
  squash_ts: number | null;
}

export class CommitLedger {
  private readonly s: Record<'at' | 'near' | 'far' | 'insert' | 'placeholder' | 'count' | 'prune' | 'setAi' | 'setAiAround' | 'setSquash' | 'setSquashAround', SqlStatement>;

  constructor(db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    const cols = 'day, project, ts, seq, counted, ai, added, merge, squash_project, squash_ts';
    const list = (n: number) => Array(n).fill('?').join(', ');
    this.s = {
      at: p(`SELECT ${cols} FROM metrics__commit WHERE day = ? AND hash = ?`),
      near: p(`SELECT ${cols} FROM metrics__commit WHERE day IN (?, ?) AND hash = ?`),
      far: p(`SELECT ${cols} FROM metrics__commit WHERE day IN (${list(2 * LATE_DAYS - 2)}) AND hash = ?`),
      insert: p('INSERT OR IGNORE INTO metrics__commit (day, hash, project, ts, seq, counted, ai, added, merge) VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?)'),
      placeholder: p('INSERT OR IGNORE INTO metrics__commit (day, hash, project, counted, ai, squash_project, squash_ts) VALUES (?, ?, ?, 0, ?, ?, ?)'),
      count: p('UPDATE metrics__commit SET project = ?, ts = ?, seq = ?, counted = 1, added = ?, merge = ? WHERE day = ? AND hash = ?'),
      prune: p('DELETE FROM metrics__commit WHERE day IN (?, ?, ?, ?) AND hash = ? AND counted = 0'),
      // A counted row is updated alone; a placeholder with its siblings (they are within two days of it).
      setAi: p('UPDATE metrics__commit SET ai = 1 WHERE day = ? AND hash = ?'),
      setAiAround: p('UPDATE metrics__commit SET ai = 1 WHERE day IN (?, ?, ?, ?, ?) AND hash = ? AND counted = 0'),
      setSquash: p('UPDATE metrics__commit SET squash_project = ?, squash_ts = ? WHERE day = ? AND hash = ?'),
      setSquashAround: p('UPDATE metrics__commit SET squash_project = ?, squash_ts = ? WHERE day IN (?, ?, ?, ?, ?) AND hash = ? AND counted = 0'),
    };
  }

  /** The row of `hash` reported nearest `at`, within LATE_DAYS days (its day, then the days either side, then further). */
  find(hash: string, at: number): CommitRow | undefined {
    return this.near(hashKey(hash), at);
  }

  /** Count a commit reported at `at`: its row when it was not counted before (`ai`, `squash_*` tell what waited for it), else undefined. */
  claim(hash: string, at: number, project: number, ts: number, seq: number, added: number, merge: boolean): CommitRow | undefined {
    const d = Math.floor(at / DAY);
    const key = hashKey(hash);
    if (this.s.insert.run(d, key, project, ts, seq, added, merge ? 1 : 0).changes) {
      return { day: d, project, ts, seq, counted: 1, ai: 0, added, merge: merge ? 1 : 0, squash_project: null, squash_ts: null };
    }
    const row = this.s.at.get(d, key) as CommitRow;
    if (row.counted) return undefined;
    // A placeholder: count it, and drop its siblings.
    this.s.count.run(project, ts, seq, added, merge ? 1 : 0, d, key);
    this.s.prune.run(d - 2, d - 1, d + 1, d + 2, key);
    return row;
  }

  /** Mark a hash AI-assisted: its row when it was not marked before (counted: its commit is there), else undefined. */
  attribute(hash: string, at: number, project: number): CommitRow | undefined {
    const key = hashKey(hash);
    const row = this.near(key, at);
    if (row?.ai) return undefined;
    if (row?.counted) this.s.setAi.run(row.day, key);
    else if (row) this.s.setAiAround.run(...around(row.day), key);
    else this.placeholders(key, at, project, 1, null, null);
    return row;
  }

  /** A squash merge added the change of `hash` in `project` at `ts`: its commit must not add another. */
  squashed(hash: string, at: number, project: number, ts: number, row: CommitRow | undefined): void {
    const key = hashKey(hash);
    if (row?.counted) this.s.setSquash.run(project, ts, row.day, key);
    else if (row) this.s.setSquashAround.run(project, ts, ...around(row.day), key);
    else this.placeholders(key, at, project, 0, project, ts);
  }

  private near(key: HashKey, at: number): CommitRow | undefined {
    const d = Math.floor(at / DAY);
    const pick = (rows: CommitRow[]) => (rows.length < 2 ? rows[0] : rows.sort((a, b) => b.counted - a.counted || Math.abs(a.day - d) - Math.abs(b.day - d))[0]);
    const far = Array.from({ length: 2 * LATE_DAYS - 2 }, (_, i) => (i < LATE_DAYS - 1 ? d - LATE_DAYS + i : d + 2 + i - (LATE_DAYS - 1)));
    return (
      (this.s.at.get(d, key) as CommitRow | undefined) ?? pick(this.s.near.all(d - 1, d + 1, key) as CommitRow[]) ?? pick(this.s.far.all(...far, key) as CommitRow[])
    );
  }

  /** What waits for a commit not seen yet, in the day of `at` and the days either side. */
  private placeholders(key: HashKey, at: number, project: number, ai: number, squashProject: number | null, squashTs: number | null): void {
    const d = Math.floor(at / DAY);
    for (const day of [d - 1, d, d + 1]) this.s.placeholder.run(day, key, project, ai, squashProject, squashTs);
  }
}
