// Scheduled reports: check every schedule up front (a bad one is reported by name and skipped, the
// others keep working) and run the good ones with croner. The Cron class is passed in, loaded lazily.
import type { ScheduleSpec } from './config.js';
import { unknownPlaceholders } from './deliver.js';

/** The croner surface used here. */
export interface CronJob {
  stop(): void;
  nextRun(): Date | null;
}
export type CronCtor = new (pattern: string, options: { timezone?: string; paused?: boolean; protect?: boolean; name?: string }, fn?: () => unknown) => CronJob;

export interface ScheduleProblem {
  name: string;
  message: string;
}

/** Split schedules into runnable ones and problems (bad cron, duplicate name, bad file template). */
export function checkSchedules(specs: readonly ScheduleSpec[], Cron: CronCtor, timezone: string | undefined): { ok: ScheduleSpec[]; problems: ScheduleProblem[] } {
  const ok: ScheduleSpec[] = [];
  const problems: ScheduleProblem[] = [];
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) {
      problems.push({ name: s.name, message: `schedule "${s.name}": another schedule has the same name; give each schedule a unique name` });
      continue;
    }
    seen.add(s.name);
    const bad = s.deliver.file ? unknownPlaceholders(s.deliver.file) : [];
    if (bad.length) {
      problems.push({ name: s.name, message: `schedule "${s.name}": deliver.file uses unknown placeholder ${bad.join(', ')}; use {date}, {period}, {name}, {ext}, {project}` });
      continue;
    }
    try {
      const job = new Cron(s.cron, { paused: true, ...(timezone ? { timezone } : {}) });
      const next = job.nextRun();
      job.stop();
      if (!next) throw new Error('it never fires');
      ok.push(s);
    } catch (e) {
      problems.push({
        name: s.name,
        message: `schedule "${s.name}": cron "${s.cron}" is not valid (${(e as Error).message}); use croner syntax, e.g. "0 9 * * 1" (Mondays 09:00) or "0 0 18 * * *" (with seconds)`,
      });
    }
  }
  return { ok, problems };
}

/** Start one croner job per schedule; returns a function that stops them all. Runs never overlap per schedule. */
export function startSchedules(specs: readonly ScheduleSpec[], Cron: CronCtor, timezone: string | undefined, fire: (s: ScheduleSpec, at: number) => Promise<void>): () => void {
  const jobs = specs.map((s) => new Cron(s.cron, { protect: true, ...(timezone ? { timezone } : {}) }, () => fire(s, Date.now())));
  return () => {
    for (const j of jobs) j.stop();
  };
}
