import type { ProjectMatcher } from './paths.js';
import { detectAssistants, procCwd, type Assistant, type ProcessSource, type ProcessTracker } from './processes.js';

/** Reads the process table and announces assistants that started or stopped since the last look. */
export class ProcessWatcher {
  constructor(
    private readonly d: {
      list: ProcessSource;
      tracker: ProcessTracker;
      procRoot: string;
      matcher: ProjectMatcher;
      now: () => number;
      emit: (type: 'assistant.started' | 'assistant.stopped', data: { tool: Assistant; pid: number }, project: string | null) => Promise<unknown>;
      warn: (key: string, fields: Record<string, unknown>, message: string) => void;
    },
  ) {}

  async check(): Promise<void> {
    let procs;
    try {
      procs = await this.d.list();
    } catch (e) {
      this.d.warn('processes', { err: String(e) }, `cannot list processes (${String(e)}); assistant detection pauses until it works again`);
      return;
    }
    const { started, stopped } = this.d.tracker.update(detectAssistants(procs), this.d.now());
    // The working directory of a new assistant names its project (Linux; elsewhere null).
    const cwds = await Promise.all(started.map((p) => procCwd(this.d.procRoot, p.pid)));
    await Promise.all([
      ...stopped.map((p) => this.d.emit('assistant.stopped', { tool: p.tool, pid: p.pid }, null)),
      ...started.map((p, i) => this.d.emit('assistant.started', { tool: p.tool, pid: p.pid }, this.d.matcher.forCwd(cwds[i]))),
    ]);
  }
}
