/** A filled-in dashboard state for tests and documentation: what a busy afternoon looks like. */
import type { DashboardState, EventLine } from './model.js';

function event(now: number, seq: number, ago: number, type: string, summary: string, severity = 'info', project: string | null = '/home/dev/webapp'): EventLine {
  return { seq, ts: now - ago * 60_000, type, project, severity, summary };
}

/** A busy afternoon at `now`: red tests, a stage, AI sessions, a failed plugin, warnings (tests and docs). */
export function sampleState(now: number): DashboardState {
  const min = (n: number) => now - n * 60_000;
  const recent = Array.from({ length: 30 }, (_, i) => event(now, 200 - i, i, i % 3 ? 'file-monitor.file.changed' : 'git-monitor.commit.created', i % 3 ? `modified src/login-${i}.ts (+3 -1)` : `abc12${i} fix login ${i}`));
  return {
    now: now,
    version: '1.0.0',
    pid: 4242,
    monitors: { holder: 'devbox:1234:abcdef', expiresAt: now + 20_000 },
    activity: {
      context: {
        project: '/home/dev/webapp',
        branch: 'feature/PROJ-7-login',
        task: 'PROJ-7',
        stage: { name: 'coding', subStage: 'unit-testing', since: min(72), confidence: 0.82 },
        onTask: { since: min(130), forMs: 130 * 60_000, activeMs: 55 * 60_000 },
        tests: { state: 'red', since: min(40), runs: 3, failing: ['login rejects bad password', 'login locks after 3 tries'], lastRunAt: min(5) },
        bottlenecks: { open: 1, top: ['tests red for 40m'] },
        note: null,
      },
      lastRun: { command: 'npm test', kind: 'test', ok: false, at: min(5), durationMs: 4100, passed: 12, failed: 2 },
      ai: { sessions: 3, activeMinutes: 92.4, prompts: 41, tokensIn: 1_234_000, tokensOut: 56_000, toolCalls: 310 },
      notes: [],
      recent,
    },
    performance: {
      ratePerSec: 12.34,
      rateWindowMs: 10_000,
      lastMinute: 740,
      headSeq: 1_234_567,
      database: { path: '/home/dev/.local/share/devflow/devflow.db', sizeBytes: 123 * 1024 * 1024, events: 1_234_000 },
      queue: { pending: 0, projectionLag: 0, projectionsBehind: 0, outboxUnsynced: 0, outboxCapped: false },
      memory: { rss: 90 * 1048576, heapUsed: 20 * 1048576, heapTotal: 32 * 1048576, external: 3 * 1048576 },
      uptimeMs: 3_723_000,
      tools: [
        { tool: 'devflow_context', calls: 120, errors: 0, p50: 0.8, p95: 2.4, max: 9.1 },
        { tool: 'devflow_events_query', calls: 14, errors: 2, p50: 1.2, p95: 30, max: 130 },
      ],
      toolWindow: { calls: 134, since: min(50) },
      plugins: [
        { id: 'admin', version: '1.0.0', state: 'started', reason: null, lastError: null, tools: 5 },
        { id: 'file-monitor', version: '1.0.0', state: 'standby', reason: null, lastError: null, tools: 2 },
        { id: 'broken', version: '0.1.0', state: 'failed', reason: 'KRN_ERR_START_FAILED: boom at start', lastError: null, tools: 0 },
      ],
    },
    errors: {
      plugins: [{ id: 'broken', version: '0.1.0', state: 'failed', reason: 'KRN_ERR_START_FAILED: boom at start', lastError: null, tools: 0 }],
      projections: [],
      events: [event(now, 150, 3, 'test-monitor.run.finished', 'FAILED npm test 12 passed, 2 failed', 'warn'), event(now, 120, 30, 'file-monitor.watch.degraded', 'watch-limit', 'warn', null)],
      scanned: 50_000,
      log: [{ ts: min(1), level: 'error', plugin: 'broken', text: 'KRN_ERR_START_FAILED: boom at start' }],
    },
  };
}
