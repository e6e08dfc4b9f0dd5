// reports' own tables: a projection of the events a report lists (bottlenecks opened/resolved, files
// changed by commits, failed deploys, red test streaks) and the ledger of generated report files.
import type { Migration, ProjectionDefinition, SqlDatabase, StoredEvent } from '@devflow/plugin-sdk';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'report-tables',
    up: `CREATE TABLE reports__bottlenecks (key TEXT NOT NULL, opened_at INTEGER NOT NULL, project TEXT NOT NULL, rule TEXT NOT NULL,
           severity TEXT NOT NULL, title TEXT NOT NULL, subject TEXT NOT NULL, resolved_at INTEGER, PRIMARY KEY (key, opened_at));
         CREATE INDEX reports__bottlenecks_opened ON reports__bottlenecks (opened_at);
         CREATE INDEX reports__bottlenecks_resolved ON reports__bottlenecks (resolved_at) WHERE resolved_at IS NOT NULL;
         CREATE TABLE reports__file_changes (ts INTEGER NOT NULL, project TEXT NOT NULL, path TEXT NOT NULL, lines INTEGER NOT NULL);
         CREATE INDEX reports__file_changes_ts ON reports__file_changes (ts);
         CREATE INDEX reports__file_changes_project_ts ON reports__file_changes (project, ts);
         CREATE TABLE reports__notable (ts INTEGER NOT NULL, end_ts INTEGER NOT NULL, project TEXT NOT NULL, kind TEXT NOT NULL,
           title TEXT NOT NULL, runs INTEGER NOT NULL);
         CREATE INDEX reports__notable_ts ON reports__notable (ts);
         CREATE TABLE reports__red (project TEXT PRIMARY KEY, since INTEGER NOT NULL, last_ts INTEGER NOT NULL, runs INTEGER NOT NULL);
         CREATE TABLE reports__generated (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, period TEXT NOT NULL, format TEXT NOT NULL,
           project TEXT, from_ts INTEGER NOT NULL, to_ts INTEGER NOT NULL, file TEXT NOT NULL, bytes INTEGER NOT NULL, schedule TEXT);`,
    down: `DROP TABLE reports__bottlenecks; DROP TABLE reports__file_changes; DROP TABLE reports__notable; DROP TABLE reports__red;
           DROP TABLE reports__generated;`,
  },
  {
    version: 2,
    name: 'hot-file rollups',
    // Files changed by commits, counted per hour and per day (UTC buckets): a week's hot files group
    // about 1,200 day rows instead of 20,000 raw ones. The raw rows stay for windows that do not start
    // or end on a whole hour (time zones with a 30- or 45-minute offset). The projection version changes
    // with this schema, so the kernel refolds the log into the new table.
    up: `CREATE TABLE reports__file_stats (kind TEXT NOT NULL, start INTEGER NOT NULL, project TEXT NOT NULL, path TEXT NOT NULL,
           changes INTEGER NOT NULL, lines INTEGER NOT NULL, PRIMARY KEY (kind, start, project, path)) WITHOUT ROWID;
         DROP INDEX reports__file_changes_project_ts;`,
    down: `DROP TABLE reports__file_stats;
           CREATE INDEX reports__file_changes_project_ts ON reports__file_changes (project, ts);`,
  },
];

const HOUR = 3_600_000;
const DAY = 86_400_000;
const floorTo = (t: number, size: number) => Math.floor(t / size) * size;
const ceilTo = (t: number, size: number) => Math.ceil(t / size) * size;

/**
 * How [from, to) is read for hot files: raw rows for the parts before the first and after the last
 * whole hour, hour buckets up to the first and from the last whole UTC day, day buckets between.
 * Every range is [a, b); an empty one has a >= b.
 */
export function hotPlan(from: number, to: number): { raw1: [number, number]; hourA: [number, number]; day: [number, number]; hourB: [number, number]; raw2: [number, number] } {
  const h0 = ceilTo(from, HOUR);
  const h1 = floorTo(to, HOUR);
  if (h0 >= h1) return { raw1: [from, to], hourA: [0, 0], day: [0, 0], hourB: [0, 0], raw2: [0, 0] };
  const d0 = ceilTo(h0, DAY);
  const d1 = floorTo(h1, DAY);
  if (d0 >= d1) return { raw1: [from, h0], hourA: [h0, h1], day: [0, 0], hourB: [0, 0], raw2: [h1, to] };
  return { raw1: [from, h0], hourA: [h0, d0], day: [d0, d1], hourB: [d1, h1], raw2: [h1, to] };
}

/** Most files of one commit recorded (a huge commit says little about hot files). */
export const MAX_FILES_PER_COMMIT = 50;

const str = (v: unknown, max = 500): string | null => (typeof v === 'string' && v.length ? v.slice(0, max) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The projection that fills the tables above. Statements are prepared once, here. */
export function reportProjection(db: SqlDatabase): ProjectionDefinition {
  const open = db.prepare(
    'INSERT OR IGNORE INTO reports__bottlenecks (key, opened_at, project, rule, severity, title, subject) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const resolve = db.prepare('UPDATE reports__bottlenecks SET resolved_at = ? WHERE key = ? AND opened_at = ?');
  const resolveLatest = db.prepare(
    'UPDATE reports__bottlenecks SET resolved_at = ? WHERE rowid = (SELECT rowid FROM reports__bottlenecks WHERE key = ? AND resolved_at IS NULL ORDER BY opened_at DESC LIMIT 1)',
  );
  const resolvedOnly = db.prepare(
    'INSERT OR IGNORE INTO reports__bottlenecks (key, opened_at, project, rule, severity, title, subject, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const file = db.prepare('INSERT INTO reports__file_changes (ts, project, path, lines) VALUES (?, ?, ?, ?)');
  const fileStat = db.prepare(
    `INSERT INTO reports__file_stats (kind, start, project, path, changes, lines) VALUES (?, ?, ?, ?, 1, ?)
     ON CONFLICT (kind, start, project, path) DO UPDATE SET changes = changes + 1, lines = lines + excluded.lines`,
  );
  const notable = db.prepare('INSERT INTO reports__notable (ts, end_ts, project, kind, title, runs) VALUES (?, ?, ?, ?, ?, ?)');
  const redGet = db.prepare('SELECT since, last_ts, runs FROM reports__red WHERE project = ?');
  const redUp = db.prepare(
    `INSERT INTO reports__red (project, since, last_ts, runs) VALUES (?, ?, ?, 1)
     ON CONFLICT (project) DO UPDATE SET since = min(since, excluded.since), last_ts = max(last_ts, excluded.last_ts), runs = runs + 1`,
  );
  const redDel = db.prepare('DELETE FROM reports__red WHERE project = ?');

  const fold = (e: StoredEvent) => {
    const d = rec(e.data);
    const project = e.project ?? str(d.project) ?? '';
    switch (e.type) {
      case 'bottleneck-detector.bottleneck.opened': {
        const key = str(d.key);
        if (!key) return;
        const sev = d.severity === 'error' || d.severity === 'warn' ? d.severity : 'info';
        open.run(key, num(d.openedAt) ?? e.ts, project, str(d.rule) ?? '?', sev, str(d.title) ?? str(d.subject) ?? key, str(d.subject) ?? '');
        return;
      }
      case 'bottleneck-detector.bottleneck.resolved': {
        const key = str(d.key);
        if (!key) return;
        const at = num(d.resolvedAt) ?? e.ts;
        const openedAt = num(d.openedAt);
        if (openedAt !== null && resolve.run(at, key, openedAt).changes) return;
        if (openedAt === null && resolveLatest.run(at, key).changes) return;
        // Resolved without a recorded opening (it opened before reports was installed): keep it.
        resolvedOnly.run(key, openedAt ?? at, project, str(d.rule) ?? '?', 'info', str(d.subject) ?? key, str(d.subject) ?? '', at);
        return;
      }
      case 'git-monitor.commit.created': {
        const files = Array.isArray(d.files) ? d.files : [];
        for (const f of files.slice(0, MAX_FILES_PER_COMMIT)) {
          const r = rec(f);
          const path = str(r.path, 1000);
          if (!path) continue;
          const lines = (num(r.added) ?? 0) + (num(r.removed) ?? 0);
          file.run(e.ts, project, path, lines);
          fileStat.run('h', floorTo(e.ts, HOUR), project, path, lines);
          fileStat.run('d', floorTo(e.ts, DAY), project, path, lines);
        }
        return;
      }
      case 'test-monitor.deploy.finished':
        if (d.ok === false) notable.run(e.ts, e.ts, project, 'deploy-failed', `deploy failed: ${str(d.command, 200) ?? 'unknown command'} (exit ${num(d.exitCode) ?? '?'})`, 1);
        return;
      case 'test-monitor.run.finished': {
        if (d.kind !== 'test' || typeof d.ok !== 'boolean') return;
        if (!d.ok) return void redUp.run(project, e.ts, e.ts);
        const red = redGet.get(project) as { since: number; last_ts: number; runs: number } | undefined;
        if (!red) return;
        redDel.run(project);
        if (red.runs >= 2) notable.run(red.since, Math.max(e.ts, red.last_ts), project, 'red-streak', `tests red for ${red.runs} runs`, red.runs);
        return;
      }
    }
  };

  return {
    name: 'report-facts',
    version: 2,
    types: [
      'bottleneck-detector.bottleneck.opened',
      'bottleneck-detector.bottleneck.resolved',
      'git-monitor.commit.created',
      'test-monitor.deploy.finished',
      'test-monitor.run.finished',
    ],
    reset: (db2) => db2.exec('DELETE FROM reports__bottlenecks; DELETE FROM reports__file_changes; DELETE FROM reports__file_stats; DELETE FROM reports__notable; DELETE FROM reports__red;'),
    apply(events) {
      for (const e of events) fold(e);
    },
  };
}

export interface BottleneckRow {
  key: string;
  rule: string;
  project: string | null;
  severity: 'info' | 'warn' | 'error';
  title: string;
  subject: string;
  openedAt: number;
  resolvedAt: number | null;
}
export interface HotFile {
  project: string | null;
  path: string;
  changes: number;
  lines: number;
}
export interface NotableRow {
  ts: number;
  endTs: number;
  project: string | null;
  kind: 'deploy-failed' | 'red-streak' | 'still-red';
  title: string;
  runs: number;
}
export interface GeneratedRow {
  at: number;
  period: string;
  format: string;
  project: string | null;
  from: number;
  to: number;
  file: string;
  bytes: number;
  schedule: string | null;
}

const nullIfEmpty = (p: string) => (p === '' ? null : p);

/** Read side of the tables: bounded, indexed queries over one window. */
export class ReportStore {
  private readonly q: Record<string, ReturnType<SqlDatabase['prepare']>>;

  constructor(db: SqlDatabase) {
    const P = '(@project IS NULL OR project = @project)';
    this.q = {
      opened: db.prepare(`SELECT * FROM reports__bottlenecks WHERE opened_at >= @from AND opened_at < @to AND ${P} ORDER BY opened_at LIMIT @limit`),
      resolved: db.prepare(`SELECT * FROM reports__bottlenecks WHERE resolved_at >= @from AND resolved_at < @to AND ${P} ORDER BY resolved_at LIMIT @limit`),
      hot: db.prepare(
        `SELECT project, path, sum(c) AS changes, sum(l) AS lines FROM (
           SELECT project, path, 1 AS c, lines AS l FROM reports__file_changes WHERE ts >= @r1a AND ts < @r1b AND ${P}
           UNION ALL SELECT project, path, changes, lines FROM reports__file_stats WHERE kind = 'h' AND start >= @hAa AND start < @hAb AND ${P}
           UNION ALL SELECT project, path, changes, lines FROM reports__file_stats WHERE kind = 'd' AND start >= @da AND start < @db AND ${P}
           UNION ALL SELECT project, path, changes, lines FROM reports__file_stats WHERE kind = 'h' AND start >= @hBa AND start < @hBb AND ${P}
           UNION ALL SELECT project, path, 1, lines FROM reports__file_changes WHERE ts >= @r2a AND ts < @r2b AND ${P})
         GROUP BY project, path ORDER BY changes DESC, lines DESC, path LIMIT @limit`,
      ),
      notable: db.prepare(
        `SELECT ts, end_ts, project, kind, title, runs FROM reports__notable WHERE ts < @to AND end_ts >= @from AND ${P} AND runs >= (CASE kind WHEN 'red-streak' THEN @min ELSE 1 END)
         ORDER BY ts LIMIT @limit`,
      ),
      red: db.prepare(`SELECT project, since, last_ts, runs FROM reports__red WHERE since < @to AND runs >= @min AND ${P} ORDER BY since LIMIT @limit`),
      insertGenerated: db.prepare(
        'INSERT INTO reports__generated (at, period, format, project, from_ts, to_ts, file, bytes, schedule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      listGenerated: db.prepare('SELECT * FROM reports__generated ORDER BY at DESC, id DESC LIMIT ?'),
    };
  }

  private bn(r: Record<string, unknown>): BottleneckRow {
    return {
      key: r.key as string,
      rule: r.rule as string,
      project: nullIfEmpty(r.project as string),
      severity: r.severity as BottleneckRow['severity'],
      title: r.title as string,
      subject: r.subject as string,
      openedAt: r.opened_at as number,
      resolvedAt: (r.resolved_at as number | null) ?? null,
    };
  }

  bottlenecks(project: string | null, from: number, to: number, limit: number): { opened: BottleneckRow[]; resolved: BottleneckRow[] } {
    const rows = (name: string) => (this.q[name]!.all({ project, from, to, limit }) as Record<string, unknown>[]).map((r) => this.bn(r));
    return { opened: rows('opened'), resolved: rows('resolved') };
  }

  hotFiles(project: string | null, from: number, to: number, limit: number): HotFile[] {
    const w = hotPlan(from, to);
    const ranges = { r1a: w.raw1[0], r1b: w.raw1[1], hAa: w.hourA[0], hAb: w.hourA[1], da: w.day[0], db: w.day[1], hBa: w.hourB[0], hBb: w.hourB[1], r2a: w.raw2[0], r2b: w.raw2[1] };
    return (this.q.hot!.all({ project, limit, ...ranges }) as HotFile[]).map((r) => ({ ...r, project: nullIfEmpty(r.project ?? '') }));
  }

  /** Failed deploys and red streaks that overlap the window, plus streaks still red that began before its end. */
  notable(project: string | null, from: number, to: number, minRedRuns: number, limit: number): NotableRow[] {
    const done = (this.q.notable!.all({ project, from, to, limit, min: minRedRuns }) as Record<string, unknown>[]).map((r) => ({
      ts: r.ts as number,
      endTs: r.end_ts as number,
      project: nullIfEmpty(r.project as string),
      kind: r.kind as NotableRow['kind'],
      title: r.title as string,
      runs: r.runs as number,
    }));
    const open = (this.q.red!.all({ project, from, to, limit, min: minRedRuns }) as Record<string, number | string>[]).map((r) => ({
      ts: r.since as number,
      endTs: r.last_ts as number,
      project: nullIfEmpty(r.project as string),
      kind: 'still-red' as const,
      title: `tests still red after ${r.runs} runs`,
      runs: r.runs as number,
    }));
    return [...done, ...open].sort((a, b) => a.ts - b.ts).slice(0, limit);
  }

  recordGenerated(g: GeneratedRow): void {
    this.q.insertGenerated!.run(g.at, g.period, g.format, g.project, g.from, g.to, g.file, g.bytes, g.schedule);
  }

  generated(limit: number): GeneratedRow[] {
    return (this.q.listGenerated!.all(limit) as Record<string, unknown>[]).map((r) => ({
      at: r.at as number,
      period: r.period as string,
      format: r.format as string,
      project: (r.project as string | null) ?? null,
      from: r.from_ts as number,
      to: r.to_ts as number,
      file: r.file as string,
      bytes: r.bytes as number,
      schedule: (r.schedule as string | null) ?? null,
    }));
  }
}
