import { resolve } from 'node:path';
import { parseSince } from '@devflow/plugin-sdk';
import { CliExit, openKernel, print, type GlobalOptions } from './common.js';
import { EXIT } from './exit-codes.js';

const PERIODS = ['day', 'week', 'sprint'] as const;
const FORMATS = ['markdown', 'html', 'json'] as const;

export interface ReportOptions extends GlobalOptions {
  period?: string;
  format?: string;
  project?: string;
  end?: string;
  weeks?: string;
  out?: string;
}

/** The part of the reports plugin's API the command uses (core does not import plugins). */
interface ReportsApi {
  generate(q: ReportQuery): { content: string; from: number; to: number; mime: string };
  save(q: ReportQuery, file?: string): { file: string; bytes: number; from: number; to: number };
}
interface ReportQuery {
  period: (typeof PERIODS)[number];
  format: (typeof FORMATS)[number];
  project?: string | null;
  end?: number;
  weeks?: number;
}

function pick<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliExit(EXIT.USAGE, [`devflow: --${name} must be one of ${allowed.join(', ')}; got "${value}"`]);
}

/** Check the options before anything opens: a typo is a usage error, not a half-started kernel. */
export function reportQuery(options: ReportOptions): ReportQuery {
  const q: ReportQuery = { period: pick('period', options.period, PERIODS, 'week'), format: pick('format', options.format, FORMATS, 'markdown') };
  if (options.project !== undefined) q.project = resolve(options.project);
  if (options.end !== undefined) {
    const end = parseSince(options.end);
    if (end === undefined) throw new CliExit(EXIT.USAGE, [`devflow: --end "${options.end}" is not a date (2026-11-20), a time, epoch ms, or a duration back from now (7d)`]);
    q.end = end;
  }
  if (options.weeks !== undefined) {
    const weeks = Number(options.weeks);
    if (!Number.isInteger(weeks) || weeks < 1 || weeks > 26) throw new CliExit(EXIT.USAGE, [`devflow: --weeks must be a whole number from 1 to 26; got "${options.weeks}"`]);
    if (q.period !== 'week') throw new CliExit(EXIT.USAGE, ['devflow: --weeks goes with --period week']);
    q.weeks = weeks;
  }
  return q;
}

/**
 * `devflow report`: render a daily, weekly or sprint report from the local database, to stdout or
 * to a file (`--out`). Runs without the monitor lease: a running DevFlow keeps its monitors. The
 * analyzers first catch up with the event log, so the report includes everything recorded.
 */
export async function reportCommand(options: ReportOptions): Promise<number> {
  const q = reportQuery(options);
  const kernel = openKernel(options, { monitors: false, quiet: true });
  try {
    await kernel.start();
    const reports = kernel.pluginApi('reports') as ReportsApi | undefined;
    if (!reports) {
      const state = kernel.status().plugins.find((p) => p.id === 'reports');
      throw new CliExit(EXIT.PROBLEMS, [
        `devflow: the reports plugin is ${state ? `${state.state}${state.reason ? ` (${state.reason})` : ''}` : 'not configured'}; enable it with "devflow plugins enable reports"`,
      ]);
    }
    await kernel.projections.ready();
    if (options.out !== undefined) {
      const saved = reports.save(q, resolve(options.out));
      process.stderr.write(`devflow: wrote the ${q.period} report (${q.format}, ${saved.bytes} bytes, ${new Date(saved.from).toISOString().slice(0, 10)} to ${new Date(saved.to - 1).toISOString().slice(0, 10)}) to ${saved.file}\n`);
    } else print(reports.generate(q).content);
    return EXIT.OK;
  } finally {
    await kernel.stop();
  }
}
