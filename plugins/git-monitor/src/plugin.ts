import { definePlugin } from '@devflow/plugin-sdk';
import { configSchema } from './config.js';
import './events.js';
import { GitMonitorService } from './git-service.js';
import type { MonitorDeps } from './recording.js';
import { GitStore, migrations } from './store.js';
import { RepoIndex, registerGitTools } from './tools.js';

/**
 * Git activity of every repository under the projects: commits, branches, merges, rewrites, tags
 * and stashes as events, history import, and tools to ask about commits and branches. Watching
 * runs in the process that holds the monitor lease; the tools run everywhere.
 */
export default definePlugin({
  id: 'git-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Git activity of every repository under the projects: commits, branches, merges, rewrites, tags, with history backfill.',
  permissions: ['git:read', 'git:write'],
  config: configSchema,
  migrations,
  start(ctx) {
    const c = ctx.config;
    const store = new GitStore(ctx.storage.db);
    const deps: MonitorDeps = {
      store,
      emit: (type, data, options) => void ctx.events.emit(type, data, options),
      logger: ctx.logger,
      config: {
        maxFilesPerCommit: c.maxFilesPerCommit,
        issueKeyPrefixes: c.issueKeyPrefixes,
        defaultBranches: c.defaultBranches,
        maxCommitsPerScan: c.maxCommitsPerScan,
        maxBackfillCommits: c.maxBackfillCommits,
      },
    };
    let service: GitMonitorService | null = null;
    let ready: Promise<void> = Promise.resolve();
    let discovered = false;
    registerGitTools(ctx, store, deps, new RepoIndex(ctx.projects, c, () => (service && discovered ? service.repositories : null)));

    ctx.lease.whileHeld((signal) => {
      const s = new GitMonitorService({
        roots: ctx.projects,
        deps,
        discover: { maxDepth: c.maxDepth, ignore: c.ignoreDirs },
        backfillDays: c.backfillDays,
        watch: c.watch,
        debounceMs: c.debounceMs,
        signal,
        track: (work) => ctx.track(work),
      });
      service = s;
      discovered = false;
      ready = ctx.track(s.discover().then(() => void (discovered = true))).catch((e: unknown) => ctx.logger.warn({ err: (e as Error).message }, `git-monitor: could not search the project roots for repositories: ${(e as Error).message}`));
      const poll = ctx.scheduler.every(c.pollIntervalSec * 1000, () => s.scanAll());
      const rediscover = ctx.scheduler.every(c.discoverIntervalSec * 1000, () => s.discover());
      return () => {
        poll.dispose();
        rediscover.dispose();
        s.close();
        if (service === s) service = null;
      };
    });

    return {
      /** The most recent recorded commits, newest first. */
      recentCommits: (limit = 20) => store.commits({ limit }),
      /** Repositories being watched (empty in a process without the monitor lease). */
      repositories: () => service?.repositories ?? [],
      /** Search the roots and scan every repository now; resolves when done (no-op without the lease). */
      rescan: async () => {
        await ready;
        const s = service;
        if (!s) return;
        await s.discover();
        await s.scanAll();
      },
    };
  },
});
