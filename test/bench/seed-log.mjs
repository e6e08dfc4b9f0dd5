// The synthetic event log the MCP and HTTP benchmarks run against: what a month of monitors on a
// busy machine could leave behind. Types, sources and projects rotate; timestamps rise with seq,
// evenly over `days` days up to now, so a 24 h window holds 1/days of the log. Ids are UUIDv7 of
// each event's own time. Written through the kernel's own openDatabase (kernel schema) and
// batched better-sqlite3 inserts, 50,000 rows per transaction.
import { V7Generator } from 'uuidv7';
import { openDatabase } from '../../core/dist/src/storage/database.js';

const TYPES = [
  ['bench.file.changed', 'bench', 10],
  ['bench.ai.turn', 'bench', 4],
  ['bench.test.run', 'bench', 2],
  ['bench.git.commit', 'bench', 1],
  ['bench.build.finished', 'bench', 1],
  ['kernel.plugin.started', 'kernel', 1],
  ['shell.command.finished', 'shell', 1],
];
const TYPE_CYCLE = TYPES.flatMap(([type, source, weight]) => Array.from({ length: weight }, () => [type, source]));
const PROJECTS = ['/home/dev/projects/webapp', '/home/dev/projects/api', '/home/dev/projects/infra', null];
const FILES = ['src/components/Button.tsx', 'src/components/Modal.tsx', 'src/hooks/useAuth.ts', 'src/pages/index.tsx', 'README.md'];
const INSERT_SQL = 'INSERT INTO events (id, ts, type, source, project, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)';

/** Write `n` events over the last `days` days into a new database at `dbPath`; returns countWindow(). */
export function seedLog(dbPath, n, days) {
  const db = openDatabase(dbPath);
  const insert = db.prepare(INSERT_SQL);
  const ids = new V7Generator();
  const end = Date.now();
  const start = end - days * 86_400_000;
  const step = (end - start) / n;
  const write = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const ts = Math.floor(start + i * step);
      const [type, source] = TYPE_CYCLE[(i * 7) % TYPE_CYCLE.length];
      const data = { path: FILES[i % FILES.length], language: 'typescript', bytes: 1234 + (i % 977), linesAdded: 12 + (i % 7), linesRemoved: 3 + (i % 5), editor: 'vscode' };
      insert.run(ids.generateOrResetWithTs(ts).toString(), ts, type, source, PROJECTS[i % PROJECTS.length], i % 50 === 0 ? 'warn' : 'info', JSON.stringify(data));
    }
  });
  for (let i = 0; i < n; i += 50_000) write(i, Math.min(n, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return countWindow(dbPath);
}

/** How many `bench.*` events the last 24 h hold. */
export function countWindow(dbPath) {
  const db = openDatabase(dbPath);
  try {
    return { inWindow: db.prepare("SELECT count(*) AS n FROM events WHERE ts >= ? AND type >= 'bench.' AND type < 'bench/'").get(Date.now() - 86_400_000).n };
  } finally {
    db.close();
  }
}
