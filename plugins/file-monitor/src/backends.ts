import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { ChangeKind } from './coalescer.js';

/** One notification from a backend: an absolute path and what happened to it. */
export interface RawChange {
  path: string;
  kind: ChangeKind;
  /** True/false when the backend knows whether the path is a directory. */
  isDir?: boolean;
}

export interface WatchBackendOptions {
  /** Absolute project root. */
  root: string;
  /** Directories (absolute paths) the backend may skip without looking inside, such as node_modules. */
  ignore?: RegExp;
  /** The authority on what is ignored (absolute path). */
  isIgnored(path: string, isDir: boolean): boolean;
  /** For the polling backend: directories worth polling besides the root and its children. */
  activeDirs?: () => readonly string[];
  /** For the polling backend: how often to poll (ms). */
  pollMs?: number;
}

export interface BackendHandlers {
  onChanges(changes: RawChange[]): void;
  /** Errors after start (a directory that could not be watched, the watch limit, a vanished root). */
  onError(error: unknown): void;
}

export interface WatchBackend {
  readonly name: BackendName;
  /** Whether files inside a directory that appears (mkdir -p, mv in, cp -r) are reported by the backend itself. */
  readonly reportsNewDirContents: boolean;
  close(): Promise<void>;
}

export type BackendName = 'parcel' | 'chokidar' | 'poll';

/** Starts watching; resolves once the backend is ready. */
export type BackendFactory = (options: WatchBackendOptions, handlers: BackendHandlers) => Promise<WatchBackend>;

/** Shell lines that raise the inotify limits, now and after a reboot. */
export const WATCH_LIMIT_FIX =
  'raise the inotify watch limit: `sudo sysctl fs.inotify.max_user_watches=524288`; to keep it after a reboot: ' +
  "`echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/60-devflow-inotify.conf && sudo sysctl --system`";
export const INSTANCE_LIMIT_FIX =
  'raise the inotify instance limit: `sudo sysctl fs.inotify.max_user_instances=1024`; to keep it after a reboot: ' +
  "`echo fs.inotify.max_user_instances=1024 | sudo tee /etc/sysctl.d/60-devflow-inotify.conf && sudo sysctl --system`";

/**
 * Which OS watch limit an error means, if any: ENOSPC from inotify_add_watch is the per-user watch
 * limit (not a full disk); EMFILE from inotify_init is the instance limit.
 */
export function watchLimitOf(error: unknown): 'watches' | 'instances' | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (code === 'ENOSPC' || /ENOSPC|No space left on device|max_user_watches/i.test(message)) return 'watches';
  if (/inotify/i.test(message) && (code === 'EMFILE' || /EMFILE|Too many open files|max_user_instances/i.test(message))) return 'instances';
  return undefined;
}

/** @parcel/watcher: native, recursive, one inotify watch per directory. */
export const parcelBackend: BackendFactory = async (options, handlers) => {
  const watcher = await import('@parcel/watcher');
  const subscribe = watcher.subscribe ?? (watcher as unknown as { default: typeof watcher }).default.subscribe;
  const sub = await subscribe(
    options.root,
    (err, events) => {
      if (err) handlers.onError(err);
      if (events?.length) handlers.onChanges(events.map((e) => ({ path: e.path, kind: e.type === 'create' ? 'created' : e.type === 'update' ? 'modified' : 'deleted' })));
    },
    { ignore: options.ignore ? [options.ignore] : [] },
  );
  return {
    name: 'parcel',
    reportsNewDirContents: false,
    async close() {
      try {
        await sub.unsubscribe();
      } catch {
        // parcel throws when a watched directory was moved away; the subscription is gone either way
      }
    },
  };
};

/** chokidar: one watch per file and directory; follows no symlinks. */
export const chokidarBackend: BackendFactory = async (options, handlers) => {
  const { watch } = await import('chokidar');
  const w = watch(options.root, {
    ignoreInitial: true,
    followSymlinks: false,
    // our coalescer folds unlink+add of one path itself; chokidar's own folding delays unlinks 100 ms
    atomic: false,
    ignored: (p, stats) => p !== options.root && options.isIgnored(p, stats?.isDirectory() ?? false),
  });
  const kinds = { add: 'created', change: 'modified', unlink: 'deleted', addDir: 'created', unlinkDir: 'deleted' } as const;
  w.on('all', (event, path) => {
    const kind = kinds[event as keyof typeof kinds];
    if (kind && path !== options.root) handlers.onChanges([{ path, kind, isDir: event === 'addDir' || event === 'unlinkDir' }]);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: unknown) => reject(e);
    w.once('error', onError);
    w.once('ready', () => {
      w.off('error', onError);
      w.on('error', (e) => handlers.onError(e));
      resolve();
    });
  }).catch(async (e) => {
    await w.close();
    throw e;
  });
  return { name: 'chokidar', reportsNewDirContents: true, close: () => w.close() };
};

interface Seen {
  mtimeMs: number;
  size: number;
  dir: boolean;
}

const MAX_POLL_DIRS = 500;
const MAX_POLL_ENTRIES = 5000;

/**
 * Polling, for when the OS watch limit is reached: every `pollMs` it lists the root, its
 * immediate subdirectories and the recently active directories (at most 500, 5,000 entries each,
 * no recursion), and reports what appeared, changed or went away since the previous look. Uses no
 * OS watches at all.
 */
export const pollBackend: BackendFactory = async (options, handlers) => {
  const snapshots = new Map<string, Map<string, Seen>>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const list = async (dir: string): Promise<Map<string, Seen> | undefined> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    const seen = new Map<string, Seen>();
    for (const d of entries.slice(0, MAX_POLL_ENTRIES)) {
      const path = join(dir, d.name);
      if (options.isIgnored(path, d.isDirectory())) continue;
      try {
        const st = await fsp.lstat(path);
        seen.set(d.name, { mtimeMs: st.mtimeMs, size: st.size, dir: st.isDirectory() });
      } catch {
        // vanished between listing and stat: it will be missing next time
      }
    }
    return seen;
  };
  const dirsToPoll = (): string[] => {
    const dirs = new Set<string>([options.root]);
    for (const [name, s] of snapshots.get(options.root) ?? []) if (s.dir) dirs.add(join(options.root, name));
    for (const d of options.activeDirs?.() ?? []) dirs.add(d);
    return [...dirs].slice(0, MAX_POLL_DIRS);
  };
  const tick = async () => {
    const dirs = dirsToPoll();
    const keep = new Set(dirs);
    for (const d of snapshots.keys()) if (!keep.has(d)) snapshots.delete(d);
    const changes: RawChange[] = [];
    for (const dir of dirs) {
      if (closed) return;
      const now = await list(dir);
      const before = snapshots.get(dir);
      if (!now) {
        snapshots.delete(dir);
        continue;
      }
      snapshots.set(dir, now);
      if (!before) continue; // first look: a baseline, nothing to report
      for (const [name, s] of now) {
        const b = before.get(name);
        if (!b) changes.push({ path: join(dir, name), kind: 'created', isDir: s.dir });
        else if (!s.dir && (b.mtimeMs !== s.mtimeMs || b.size !== s.size)) changes.push({ path: join(dir, name), kind: 'modified', isDir: false });
      }
      for (const [name, b] of before) if (!now.has(name)) changes.push({ path: join(dir, name), kind: 'deleted', isDir: b.dir });
    }
    if (changes.length && !closed) handlers.onChanges(changes);
  };
  const loop = async () => {
    try {
      await tick();
    } catch (e) {
      handlers.onError(e);
    }
    if (!closed) timer = setTimeout(loop, options.pollMs ?? 10_000);
  };
  await tick();
  if (!closed) timer = setTimeout(loop, options.pollMs ?? 10_000);
  return {
    name: 'poll',
    reportsNewDirContents: false,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
};

export const BACKENDS: Record<BackendName, BackendFactory> = { parcel: parcelBackend, chokidar: chokidarBackend, poll: pollBackend };
