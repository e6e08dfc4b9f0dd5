import type { Migration } from '@devflow/plugin-sdk';

// Every table and index starts with the plugin's prefix: `file_monitor__`.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'files-and-hotspots',
    up: `CREATE TABLE file_monitor__files (
           project TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, content_key TEXT, lines INTEGER,
           updated INTEGER NOT NULL, PRIMARY KEY (project, path)) WITHOUT ROWID;
         CREATE INDEX file_monitor__files_updated ON file_monitor__files (updated);
         CREATE TABLE file_monitor__hotspots (
           project TEXT NOT NULL, path TEXT NOT NULL, hour INTEGER NOT NULL,
           changes INTEGER NOT NULL DEFAULT 0, bulk INTEGER NOT NULL DEFAULT 0,
           lines_added INTEGER NOT NULL DEFAULT 0, lines_removed INTEGER NOT NULL DEFAULT 0,
           last_ts INTEGER NOT NULL, PRIMARY KEY (project, path, hour)) WITHOUT ROWID;
         CREATE INDEX file_monitor__hotspots_hour ON file_monitor__hotspots (hour);`,
    down: `DROP TABLE file_monitor__hotspots; DROP TABLE file_monitor__files;`,
  },
];
