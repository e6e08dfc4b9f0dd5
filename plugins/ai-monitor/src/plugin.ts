import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { definePlugin, type Disposable } from '@devflow/plugin-sdk';
import { CommitStore } from './attribution.js';
import { CommitAttributor, type CommitAttributedData, type CommitEvent } from './commit-attributor.js';
import { CONFIG_SCHEMA, TOOLS } from './config.js';
import type { LogsSummary, MetricsSummary } from './otlp.js';
import { startOtlpServer, type OtlpServer } from './otlp-server.js';
import { migrations } from './migrations.js';
import { ProjectMatcher, rootsFor } from './paths.js';
import { ProcessWatcher } from './process-watcher.js';
import { ProcessTracker, procfsSource, psSource, type Assistant, type ProcessSource } from './processes.js';
import type { SessionEventData } from './session-events.js';
import { SessionStore } from './session-store.js';
import { registerSummaryTool } from './summary-tool.js';
import { TranscriptMonitor, type PollReport } from './transcript-monitor.js';
import { WarnLimiter } from './warn-limiter.js';

declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'ai-monitor.session.updated': SessionEventData;
    'ai-monitor.session.ended': SessionEventData;
    'ai-monitor.assistant.started': { tool: Assistant; pid: number };
    'ai-monitor.assistant.stopped': { tool: Assistant; pid: number };
    'ai-monitor.commit.attributed': CommitAttributedData;
    'ai-monitor.otlp.metrics-received': MetricsSummary;
    'ai-monitor.otlp.logs-received': LogsSummary;
  }
}

/** Hooks for tests and embedders: a clock, a process table, the environment and home directory. */
export interface AiMonitorOptions {
  now?: () => number;
  processes?: ProcessSource;
  env?: Readonly<Record<string, string | undefined>>;
  home?: string;
}

export type { PollReport };

/** What other plugins (and tests) get from `ctx.use(aiMonitor)`. */
export interface AiMonitorApi {
  /** Walk every transcript root now and emit what is due (undefined without the monitor lease). */
  scanNow(): Promise<PollReport | undefined>;
  /** The quick poll the timer runs: recently active files, their directories, unfinished reads. */
  pollNow(): Promise<PollReport | undefined>;
  /** What the transcript monitor of this process has done since it took the lease (null without it). */
  stats(): PollReport | null;
  /** Read the process table now. */
  checkProcesses(): Promise<void>;
  /** The OTLP receiver's port while it runs, else null. */
  otlpPort(): number | null;
}

const DAY_MS = 86_400_000;

export function createAiMonitor(options: AiMonitorOptions = {}) {
  return definePlugin({
    id: 'ai-monitor',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'AI coding assistant sessions from local transcripts (counts and timings only), process detection, commit attribution and an OTLP receiver.',
    permissions: ['ai:read'],
    config: CONFIG_SCHEMA,
    migrations,
    start(ctx): AiMonitorApi {
      const cfg = ctx.config;
      const now = options.now ?? Date.now;
      const env = options.env ?? process.env;
      const home = options.home ?? homedir();
      const store = new SessionStore(ctx.storage.db, ctx.storage.prefix);
      const commits = new CommitStore(ctx.storage.db, ctx.storage.prefix);
      const matcher = new ProjectMatcher(() => ctx.projects);
      const limiter = new WarnLimiter((fields, msg) => ctx.logger.warn({ code: 'AI_MONITOR_BAD_INPUT', ...fields }, msg), 60_000, now);
      const sources = TOOLS.filter((t) => cfg.sources[t].enabled).map((tool) => ({ tool, roots: rootsFor(tool, cfg.sources[tool].paths, env, home) }));

      let monitor: TranscriptMonitor | undefined;
      let otlp: OtlpServer | undefined;
      let chain: Promise<unknown> = Promise.resolve();
      const poll = (full: boolean, project?: string): Promise<PollReport | undefined> => {
        const run = chain.then(() => monitor?.poll({ full, ...(project ? { project } : {}) }));
        chain = run.catch((e: unknown) => ctx.logger.error({ err: e }, 'transcript poll failed; it runs again on the next tick'));
        return run;
      };

      const procRoot = cfg.processes.procRoot;
      const processes = new ProcessWatcher({
        list: options.processes ?? (existsSync(procRoot) ? procfsSource(procRoot) : psSource),
        tracker: new ProcessTracker(ctx.storage.db, ctx.storage.prefix),
        procRoot,
        matcher,
        now,
        emit: (type, data, project) => ctx.events.emit(`ai-monitor.${type}`, data, { project }),
        warn: (key, fields, msg) => limiter.warn(key, fields, msg),
      });
      const checkProcesses = () => processes.check();

      const attributor = new CommitAttributor({
        store,
        commits,
        matcher,
        windowMs: cfg.attribution.windowMs,
        emit: (data, project, ts) => ctx.events.emit('ai-monitor.commit.attributed', data, { project, ts }),
        warn: (key, fields, msg) => limiter.warn(key, fields, msg),
      });
      const onCommit = (e: CommitEvent) => attributor.onCommit(e);
      if (cfg.attribution.enabled) {
        ctx.events.on('git-monitor.commit.created', async (e) => {
          // Read what the assistant wrote just before the commit, including a session that started
          // in this repository moments ago.
          const repo = typeof e.data.repo === 'string' ? e.data.repo : (e.project ?? undefined);
          if (monitor) await poll(false, repo).catch(() => undefined);
          await onCommit(e);
        });
      }
      // Commits git-monitor reported before this plugin listened (it may start first).
      const catchUp = async (): Promise<void> => {
        let page = ctx.storage.events.query({ types: ['git-monitor.commit.created'], since: now() - DAY_MS, limit: 1000 });
        for (let i = 0; i < 20; i++) {
          for (const e of page.events) await onCommit(e);
          if (page.next === null) break;
          page = ctx.storage.events.query({ types: ['git-monitor.commit.created'], since: now() - DAY_MS, after: page.next, limit: 1000 });
        }
      };

      ctx.lease.whileHeld(async () => {
        store.resetCaches(); // another process may have counted while this one did not hold the lease
        const owned: Disposable[] = [];
        if (sources.length) {
          monitor = new TranscriptMonitor({
            sources,
            store,
            matcher,
            now,
            settings: { ...cfg, maxJsonBytes: 64 << 20 },
            emit: (type, data, project, ts) => ctx.events.emit(`ai-monitor.${type}`, data, { project, ts }),
            warn: (path, fields, msg) => limiter.warn(path, fields, msg),
            debug: (fields, msg) => ctx.logger.debug(fields, msg),
          });
          let first = true;
          owned.push(
            ctx.scheduler.every(
              cfg.scanIntervalMs,
              async () => {
                await poll(true);
                store.pruneUnits(now() - (cfg.maxAgeDays + 1) * DAY_MS);
                if (first && cfg.attribution.enabled) (first = false), await catchUp();
              },
              { immediate: true },
            ),
            ctx.scheduler.every(cfg.pollIntervalMs, async () => void (await poll(false))),
          );
        }
        if (cfg.processes.enabled) owned.push(ctx.scheduler.every(cfg.processes.intervalMs, checkProcesses, { immediate: true }));
        if (cfg.otlp.enabled) {
          try {
            otlp = await startOtlpServer({
              host: cfg.otlp.host,
              port: cfg.otlp.port,
              maxBodyBytes: cfg.otlp.maxBodyBytes,
              onMetrics: (s) => void (s.dataPoints + s.rejected > 0 && ctx.events.emit('ai-monitor.otlp.metrics-received', s)),
              onLogs: (s) => void (s.records + s.rejected > 0 && ctx.events.emit('ai-monitor.otlp.logs-received', s)),
              warn: (key, fields, msg) => limiter.warn(key, fields, msg),
            });
            ctx.logger.info({ host: cfg.otlp.host, port: otlp.port }, 'OTLP/HTTP JSON receiver listening');
          } catch (e) {
            ctx.logger.warn(
              { code: 'AI_MONITOR_OTLP_LISTEN', host: cfg.otlp.host, port: cfg.otlp.port, err: (e as NodeJS.ErrnoException).code ?? String(e) },
              `the OTLP receiver cannot listen on ${cfg.otlp.host}:${cfg.otlp.port} (${(e as NodeJS.ErrnoException).code ?? String(e)}); set otlp.port to a free port or stop the other collector. Transcripts are still read.`,
            );
          }
        }
        return async () => {
          for (const d of owned) d.dispose();
          monitor = undefined;
          const server = otlp;
          otlp = undefined;
          await server?.close();
          await chain;
        };
      });

      registerSummaryTool(ctx, { store, commits, matcher, now });

      return {
        scanNow: () => poll(true),
        pollNow: () => poll(false),
        stats: () => (monitor ? { ...monitor.totals } : null),
        checkProcesses: () => (ctx.lease.held && cfg.processes.enabled ? checkProcesses() : Promise.resolve()),
        otlpPort: () => otlp?.port ?? null,
      };
    },
  });
}

/**
 * AI coding assistant sessions from local transcripts (Claude Code, Codex CLI, Gemini CLI, Qwen
 * Code), assistant processes, AI attribution of commits and a loopback OTLP receiver.
 */
export default createAiMonitor();
