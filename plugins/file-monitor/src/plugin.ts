import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { definePlugin, type PluginContext, type FromSchema } from '@devflow/plugin-sdk';
import type { BackendFactory, BackendName } from './backends.js';
import { configSchema } from './config.js';
import { ContentCache } from './content-cache.js';
import type { InspectorFs } from './file-inspector.js';
import { HotspotRollup, SqliteKnownFiles, type HotspotEntry } from './file-store.js';
import { IgnoreMatcher } from './ignore-matcher.js';
import { migrations } from './migrations.js';
import { registerTools } from './tools.js';
import { ProjectWatcher, type BulkChangedData, type FileChangedData, type FileEventSink, type FileRenamedData, type WatchNotice, type WatchStats } from './project-watcher.js';

// The events this plugin emits, typed for everyone who imports it.
declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'file-monitor.file.changed': FileChangedData;
    'file-monitor.file.renamed': FileRenamedData;
    'file-monitor.files.bulk-changed': BulkChangedData;
    'file-monitor.watch.started': Extract<WatchNotice, { type: 'started' }>['data'];
    'file-monitor.watch.degraded': Extract<WatchNotice, { type: 'degraded' }>['data'];
    'file-monitor.watch.restored': Extract<WatchNotice, { type: 'restored' }>['data'];
  }
}

/** Things tests (and embedders) can swap: watcher backends and the file-system calls of the inspector. */
export interface FileMonitorOptions {
  factories?: Partial<Record<BackendName, BackendFactory>>;
  inspectorFs?: InspectorFs;
}

export type Config = FromSchema<typeof configSchema>;

/** What `ctx.use(fileMonitor)` (and `tk.use`) returns. */
export interface FileMonitorApi {
  /** Resolves once this process watches every existing project (never, in a process without the lease). */
  ready(): Promise<void>;
  /** Resolves once every change received so far went out as events. */
  idle(): Promise<void>;
  /** Counters per watched project root. */
  stats(): Record<string, WatchStats>;
}

const DAY_MS = 86_400_000;
const MISSING_ROOT_CHECK_MS = 30_000;

/** The file-monitor plugin, with backends or file-system calls replaced (tests inject the watch limit this way). */
export function createFileMonitorPlugin(options: FileMonitorOptions = {}) {
  return definePlugin({
    id: 'file-monitor',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Watches project files: changes, renames, bursts, with .gitignore honoured.',
    permissions: ['files:read', 'activity:read'],
    config: configSchema,
    migrations,
    start(ctx): FileMonitorApi {
      const rollup = new HotspotRollup(ctx.storage.db, ctx.storage.prefix, (e) => ctx.logger.error({ err: String(e) }, `cannot write the file hotspot rollup: ${String(e)}`));
      const watchers = new Map<string, ProjectWatcher>();
      let markReady: () => void = () => {};
      const ready = new Promise<void>((r) => (markReady = r));

      ctx.lease.whileHeld(async (signal) => startWatching(ctx, options, rollup, watchers, signal, markReady));

      ctx.lease.whileHeld(() => {
        const prune = () => {
          const r = rollup.pruneBefore(Date.now() - ctx.config.retentionDays * DAY_MS);
          if (r.hours || r.files) ctx.logger.debug(r, 'pruned old hotspot hours and file records');
        };
        prune();
        return ctx.scheduler.every(DAY_MS / 4, prune);
      });

      registerTools(ctx, rollup);

      return {
        ready: () => ready,
        idle: async () => {
          await Promise.all([...watchers.values()].map((w) => w.idle()));
          rollup.flush();
        },
        stats: () => Object.fromEntries([...watchers].map(([root, w]) => [root, { ...w.stats }])),
      };
    },
  });
}

/** Lease work: one watcher per project root; undone (watchers closed) when the lease or the plugin goes. */
async function startWatching(
  ctx: PluginContext<Config>,
  options: FileMonitorOptions,
  rollup: HotspotRollup,
  watchers: Map<string, ProjectWatcher>,
  signal: AbortSignal,
  markReady: () => void,
): Promise<() => Promise<void>> {
  const c = ctx.config;
  const cache = new ContentCache(c.contentCacheMb * 1024 * 1024);
  const roots = [...new Set(ctx.projects.map((p) => resolve(p)))];
  const stores: SqliteKnownFiles[] = [];
  const timers: NodeJS.Timeout[] = [];
  if (!roots.length) ctx.logger.info({}, 'no projects configured: file-monitor watches nothing (add "projects" to the config)');

  const startOne = async (root: string) => {
    const known = new SqliteKnownFiles(ctx.storage.db, `${ctx.storage.prefix}files`, root, (e) => ctx.logger.error({ project: root, err: String(e) }, `cannot write file records for ${root}: ${String(e)}`));
    stores.push(known);
    const matcher = new IgnoreMatcher({
      root,
      defaults: c.useDefaultIgnores,
      patterns: c.ignore,
      gitignore: c.useGitignore,
      onWarning: (file, e) => ctx.logger.warn({ project: root, file, err: String(e) }, `cannot read ignore file ${file}: ${String(e)}; treating it as empty`),
    });
    const w = new ProjectWatcher({
      root,
      matcher,
      nestedRoots: roots.filter((r) => r !== root && r.startsWith(root + sep)),
      backend: c.backend,
      ...(options.factories ? { factories: options.factories } : {}),
      ...(options.inspectorFs ? { inspectorFs: options.inspectorFs } : {}),
      coalescer: { settleMs: c.settleMs, coalesceMs: c.coalesceMs, burstWindowMs: c.burstWindowMs, holdThreshold: c.holdThreshold, quietMs: c.quietMs, bulkThreshold: c.bulkThreshold, maxHoldMs: c.maxHoldMs },
      renameWindowMs: c.renameWindowMs,
      maxTextBytes: c.maxDiffBytes,
      maxHashBytes: c.maxHashBytes,
      cache,
      known,
      sink: sinkFor(ctx, root, rollup),
      logger: ctx.logger.child({ project: root }),
      pollMs: c.pollMs,
      retryMs: c.retryWatchMs,
      sampleSize: c.sampleSize,
    });
    watchers.set(root, w);
    await w.start();
  };

  const missing = roots.filter((r) => !existsSync(r));
  for (const root of missing) ctx.logger.warn({ project: root }, `project root ${root} does not exist; it is watched once it appears (checked every ${MISSING_ROOT_CHECK_MS / 1000} s)`);
  await Promise.all(roots.filter((r) => !missing.includes(r)).map((r) => startOne(r)));
  if (missing.length) {
    const waiting = new Set(missing);
    const t = setInterval(() => {
      for (const root of waiting) {
        if (signal.aborted || !existsSync(root)) continue;
        waiting.delete(root);
        ctx.logger.info({ project: root }, `project root ${root} appeared; watching it`);
        void ctx.track(startOne(root));
      }
      if (!waiting.size) clearInterval(t);
    }, MISSING_ROOT_CHECK_MS);
    t.unref();
    timers.push(t);
  }
  markReady();

  return async () => {
    for (const t of timers) clearInterval(t);
    const list = [...watchers.values()];
    watchers.clear();
    await Promise.all(list.map((w) => w.close()));
    for (const s of stores) s.flush();
    rollup.flush();
  };
}

/**
 * Watcher findings → events in the plugin's namespace; committed changes feed the hotspot rollup
 * (tracked, so a stopping kernel waits for them; written at once while stopping).
 */
function sinkFor(ctx: PluginContext<Config>, project: string, rollup: HotspotRollup): FileEventSink {
  const record = (entries: HotspotEntry[]) => {
    rollup.record(project, entries);
    if (ctx.signal.aborted) rollup.flush();
  };
  return {
    changed(data, ts) {
      void ctx.track(
        ctx.events.emit('file-monitor.file.changed', data, { project, ts }).then((stored) => {
          if (stored) record([{ path: data.path, ts, changes: data.count, bulk: 0, linesAdded: data.linesAdded ?? 0, linesRemoved: data.linesRemoved ?? 0 }]);
        }),
      );
    },
    renamed(data, ts) {
      void ctx.track(
        ctx.events.emit('file-monitor.file.renamed', data, { project, ts }).then((stored) => {
          if (stored) record([{ path: data.to, ts, changes: data.count, bulk: 0, linesAdded: data.linesAdded ?? 0, linesRemoved: data.linesRemoved ?? 0 }]);
        }),
      );
    },
    bulk(data, items, ts) {
      void ctx.track(
        ctx.events.emit('file-monitor.files.bulk-changed', data, { project, ts }).then((stored) => {
          if (stored) record(items.map((it) => ({ path: it.path, ts, changes: 0, bulk: it.count, linesAdded: 0, linesRemoved: 0 })));
        }),
      );
    },
    notice(n) {
      void ctx.events.emit(`file-monitor.watch.${n.type}`, n.data, { project, severity: n.type === 'degraded' ? 'warn' : 'info' });
    },
  };
}
