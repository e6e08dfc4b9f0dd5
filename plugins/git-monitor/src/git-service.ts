// The running monitor (in the process that holds the monitor lease): finds the repositories, keeps
// one RepoMonitor per repository, scans on file-system changes (debounced) and on the slow poll,
// and turns failures into attributed warnings — a repository that breaks or vanishes never stops
// the others.
import { existsSync } from 'node:fs';
import { discoverRepositories, firstLine, type DiscoverOptions, type Repository } from './discover.js';
import { watchRepository, type WatchHandle } from './git-watcher.js';
import type { MonitorDeps } from './recording.js';
import { RepoMonitor } from './repo-monitor.js';

export interface ServiceOptions {
  roots: readonly string[];
  deps: MonitorDeps;
  discover: Omit<DiscoverOptions, 'signal'>;
  backfillDays: number;
  watch: boolean;
  debounceMs: number;
  signal: AbortSignal;
  /** Register in-flight work the host awaits before shutting down. */
  track: <T>(work: Promise<T>) => Promise<T>;
}

interface Entry {
  monitor: RepoMonitor;
  watcher: WatchHandle | null;
  timer: NodeJS.Timeout | null;
  lastError: string | null;
}

export class GitMonitorService {
  private readonly entries = new Map<string, Entry>();
  private readonly warned = new Set<string>();
  private closed = false;

  constructor(private readonly o: ServiceOptions) {}

  get repositories(): Repository[] {
    return [...this.entries.values()].map((e) => e.monitor.repo);
  }

  /** Find repositories (again): start watching new ones, update worktrees, drop ones no longer there. */
  async discover(): Promise<void> {
    const { repos, problems } = await discoverRepositories(this.o.roots, { ...this.o.discover, signal: this.o.signal });
    if (this.closed) return;
    for (const p of problems) this.warnOnce(`${p.path}\0${p.message}`, { path: p.path }, `git-monitor: cannot use ${p.path} as a git repository: ${p.message}; it is skipped (check it with "git -C ${p.path} status")`);
    const found = new Set(repos.map((r) => r.path));
    for (const repo of repos) {
      const entry = this.entries.get(repo.path);
      if (!entry) this.add(repo);
      else if (JSON.stringify(entry.monitor.repo.worktrees) !== JSON.stringify(repo.worktrees)) {
        entry.monitor.repo = repo;
        this.rewatch(repo.path, entry);
      }
    }
    for (const [path, entry] of this.entries) {
      if (found.has(path)) continue;
      this.remove(path, entry);
      this.o.deps.logger.info({ repo: path }, 'git-monitor: repository no longer under a project root; stopped watching it');
    }
  }

  /** Scan every repository now (the slow poll, and tests). Resolves when all scans finished. */
  async scanAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.o.track(e.monitor.request())));
  }

  close(): void {
    this.closed = true;
    for (const [path, entry] of this.entries) this.remove(path, entry);
  }

  private add(repo: Repository): void {
    const monitor = new RepoMonitor(repo, this.o.deps, {
      backfillDays: this.o.backfillDays,
      signal: this.o.signal,
      onError: (e, m) => this.failed(m, e),
      onScanned: (m) => this.recovered(m),
    });
    const entry: Entry = { monitor, watcher: null, timer: null, lastError: null };
    this.entries.set(repo.path, entry);
    this.rewatch(repo.path, entry);
    void this.o.track(monitor.request());
  }

  private rewatch(path: string, entry: Entry): void {
    entry.watcher?.close();
    entry.watcher = null;
    if (!this.o.watch) return;
    entry.watcher = watchRepository(
      entry.monitor.repo,
      () => this.schedule(entry),
      (dir, err) => this.warnOnce(`watch\0${dir}`, { repo: path, dir, err: err.message }, `git-monitor: cannot watch ${dir} (${err.message}); changes in ${path} are picked up by the poll instead`),
    );
  }

  private schedule(entry: Entry): void {
    if (this.closed) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (!this.closed) void this.o.track(entry.monitor.request());
    }, this.o.debounceMs);
    entry.timer.unref();
  }

  private remove(path: string, entry: Entry): void {
    entry.watcher?.close();
    if (entry.timer) clearTimeout(entry.timer);
    this.entries.delete(path);
  }

  private failed(monitor: RepoMonitor, e: unknown): void {
    const repo = monitor.repo;
    const entry = this.entries.get(repo.path);
    if (!existsSync(repo.commonDir)) {
      this.o.deps.logger.warn({ repo: repo.path, project: repo.project }, `git-monitor: repository ${repo.path} vanished (${repo.commonDir} is gone); stopped watching it — it is picked up again if it comes back`);
      if (entry) this.remove(repo.path, entry);
      return;
    }
    const message = firstLine(e instanceof Error ? e.message : String(e));
    if (entry && entry.lastError === message) return;
    if (entry) entry.lastError = message;
    this.o.deps.logger.warn({ repo: repo.path, project: repo.project, err: message }, `git-monitor: cannot read repository ${repo.path}: ${message}; its events wait until git can read it again (check it with "git -C ${repo.path} fsck")`);
  }

  private recovered(monitor: RepoMonitor): void {
    const entry = this.entries.get(monitor.repo.path);
    if (!entry?.lastError) return;
    entry.lastError = null;
    this.o.deps.logger.info({ repo: monitor.repo.path }, 'git-monitor: repository readable again');
  }

  private warnOnce(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.o.deps.logger.warn(fields, message);
  }
}
