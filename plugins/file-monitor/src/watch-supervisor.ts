import {
  BACKENDS,
  INSTANCE_LIMIT_FIX,
  WATCH_LIMIT_FIX,
  watchLimitOf,
  type BackendFactory,
  type BackendName,
  type RawChange,
  type WatchBackend,
  type WatchBackendOptions,
} from './backends.js';

/** Lifecycle notices of a project's watcher (they become `file-monitor.watch.*` events). */
export type WatchNotice =
  | { type: 'started'; data: { backend: BackendName; readyMs: number } }
  | { type: 'degraded'; data: { reason: 'watch-limit' | 'instance-limit' | 'backend-failed'; fix: string; mode: 'poll'; pollMs: number; error: string } }
  | { type: 'restored'; data: { backend: BackendName } };

/** The slice of a pino logger the watcher uses. */
export interface WatchLogger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface WatchSupervisorOptions {
  root: string;
  /** 'auto': @parcel/watcher, chokidar when parcel cannot run here. */
  backend: 'auto' | BackendName;
  factories?: Partial<Record<BackendName, BackendFactory>> | undefined;
  /** Polling interval once degraded (ms). */
  pollMs: number;
  /** While degraded, try the full watch again this often (ms; 0 = never). */
  retryMs: number;
  logger: WatchLogger;
  backendOptions(): WatchBackendOptions;
  onChanges(changes: RawChange[]): void;
  onNotice(notice: WatchNotice): void;
  /** A warning that should be logged once per `key`. */
  onWarning(key: string, obj: Record<string, unknown>, msg: string): void;
  onInternalError(e: unknown): void;
}

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs the watcher backend of one project: the preferred backend with its fallback, and when the
 * OS watch limit is hit (at start or later) a warning with the fix, polling instead, and a retry of
 * the full watch now and then. Never throws out of a backend callback.
 */
export class WatchSupervisor {
  private current: WatchBackend | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  degraded = false;

  constructor(private readonly o: WatchSupervisorOptions) {}

  get backend(): WatchBackend | undefined {
    return this.current;
  }

  /** Resolves when the backend is ready, or the supervisor fell back to polling. */
  async start(): Promise<void> {
    const t0 = performance.now();
    const order: BackendName[] = this.o.backend === 'auto' ? ['parcel', 'chokidar'] : [this.o.backend];
    let lastError: unknown;
    for (const name of order) {
      if (this.closed) return;
      try {
        this.current = await this.factory(name)(this.o.backendOptions(), this.handlers());
        break;
      } catch (e) {
        const limit = watchLimitOf(e);
        if (limit) return this.degrade(e, limit);
        lastError = e;
        this.o.logger.warn({ project: this.o.root, backend: name, err: messageOf(e) }, `file watcher backend "${name}" could not watch ${this.o.root}: ${messageOf(e)}${name === 'parcel' && order.length > 1 ? '; trying chokidar' : ''}`);
      }
    }
    if (!this.current) return this.degrade(lastError, undefined);
    if (this.closed) return void (await this.current.close());
    this.o.onNotice({ type: 'started', data: { backend: this.current.name, readyMs: Math.round(performance.now() - t0) } });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const b = this.current;
    this.current = undefined;
    await b?.close();
  }

  private factory(name: BackendName): BackendFactory {
    return this.o.factories?.[name] ?? BACKENDS[name];
  }

  private handlers() {
    return {
      onChanges: (changes: RawChange[]) => {
        try {
          this.o.onChanges(changes);
        } catch (e) {
          this.o.onInternalError(e);
        }
      },
      onError: (e: unknown) => {
        const limit = watchLimitOf(e);
        if (limit) void this.degrade(e, limit).catch((err) => this.o.onInternalError(err));
        else if (!this.closed) this.o.onWarning(`backend:${messageOf(e)}`, { project: this.o.root, err: messageOf(e) }, `the file watcher reported an error for ${this.o.root}: ${messageOf(e)}; watching continues`);
      },
    };
  }

  /** The OS watch limit (or no backend at all): warn with the fix, and poll instead. */
  private async degrade(error: unknown, limit: 'watches' | 'instances' | undefined): Promise<void> {
    if (this.degraded || this.closed) return;
    this.degraded = true;
    const full = this.current;
    this.current = undefined;
    await full?.close();
    const fix = limit === 'instances' ? INSTANCE_LIMIT_FIX : limit === 'watches' ? WATCH_LIMIT_FIX : 'check that the project directory exists and is readable, or set "backend" in the file-monitor config';
    const reason = limit === 'instances' ? 'instance-limit' : limit === 'watches' ? 'watch-limit' : 'backend-failed';
    const what = limit ? `the OS file-watch limit (inotify ${limit}) was reached` : 'no file watcher backend could start';
    this.o.logger.warn(
      { project: this.o.root, reason, err: messageOf(error), fix },
      `${what} while watching ${this.o.root}; falling back to polling the top-level and recently active directories every ${this.o.pollMs} ms (slower, less complete). To fix: ${fix}`,
    );
    this.o.onNotice({ type: 'degraded', data: { reason, fix, mode: 'poll', pollMs: this.o.pollMs, error: messageOf(error) } });
    try {
      this.current = await this.factory('poll')(this.o.backendOptions(), this.handlers());
    } catch (e) {
      this.o.logger.error({ project: this.o.root, err: messageOf(e) }, `cannot even poll ${this.o.root}: ${messageOf(e)}; this project is not watched until restart`);
    }
    if (this.o.retryMs > 0 && limit) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => void this.retryFull().catch((e) => this.o.onInternalError(e)), this.o.retryMs);
    this.retryTimer.unref?.();
  }

  private async retryFull(): Promise<void> {
    if (this.closed) return;
    const name: BackendName = this.o.backend === 'auto' || this.o.backend === 'poll' ? 'parcel' : this.o.backend;
    try {
      const full = await this.factory(name)(this.o.backendOptions(), this.handlers());
      if (this.closed) return void (await full.close());
      const poll = this.current;
      this.current = full;
      this.degraded = false;
      await poll?.close();
      this.o.logger.info({ project: this.o.root, backend: full.name }, `full file watching of ${this.o.root} restored`);
      this.o.onNotice({ type: 'restored', data: { backend: full.name } });
    } catch (e) {
      this.o.logger.debug({ project: this.o.root, err: messageOf(e) }, 'full watch still not possible');
      this.scheduleRetry();
    }
  }
}
