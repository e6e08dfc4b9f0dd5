import type { Migration } from '@devflow/plugin-sdk';

/** The columns of the event log (the archive database has the same table). */
export const EVENTS_COLUMNS = `
        seq      INTEGER PRIMARY KEY,
        id       TEXT NOT NULL UNIQUE,
        ts       INTEGER NOT NULL,
        type     TEXT NOT NULL,
        source   TEXT NOT NULL,
        project  TEXT,
        severity TEXT NOT NULL DEFAULT 'info',
        data     TEXT NOT NULL`;

/** The kernel's own tables. Plugin tables live under their own prefixes. */
export const KERNEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log, outbox, audit log, leases',
    up: `
      CREATE TABLE events (${EVENTS_COLUMNS});
      CREATE INDEX events_ts ON events (ts);
      CREATE INDEX events_type_ts ON events (type, ts);
      CREATE INDEX events_project_ts ON events (project, ts) WHERE project IS NOT NULL;

      CREATE TABLE outbox (
        event_seq  INTEGER PRIMARY KEY REFERENCES events (seq),
        target     TEXT NOT NULL DEFAULT 'default',
        attempts   INTEGER NOT NULL DEFAULT 0,
        synced_at  INTEGER
      );
      CREATE INDEX outbox_unsynced ON outbox (event_seq) WHERE synced_at IS NULL;

      CREATE TABLE audit_log (
        seq          INTEGER PRIMARY KEY,
        ts           INTEGER NOT NULL,
        principal    TEXT NOT NULL,
        role         TEXT,
        action       TEXT NOT NULL,
        target       TEXT,
        outcome      TEXT NOT NULL,
        duration_ms  REAL,
        detail       TEXT
      );
      CREATE INDEX audit_log_ts ON audit_log (ts);

      CREATE TABLE leases (
        name         TEXT PRIMARY KEY,
        owner        TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        host         TEXT NOT NULL,
        acquired_at  INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'projection cursors',
    up: `
      CREATE TABLE projections (
        plugin      TEXT NOT NULL,
        name        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        cursor      INTEGER NOT NULL DEFAULT 0,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (plugin, name)
      ) WITHOUT ROWID;
    `,
    down: 'DROP TABLE projections',
  },
];
