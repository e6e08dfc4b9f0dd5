import { execFile } from 'node:child_process';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';

/** One process as the detector sees it. */
export interface ProcessInfo {
  pid: number;
  ppid?: number;
  argv: string[];
  /** Distinguishes a reused pid (Linux: start time in clock ticks). */
  startKey?: string;
}

/** Anything that lists the running processes; injectable for tests. */
export type ProcessSource = () => Promise<ProcessInfo[]>;

export const ASSISTANTS = ['claude', 'codex', 'gemini', 'qwen', 'cursor', 'copilot'] as const;
export type Assistant = (typeof ASSISTANTS)[number];

const BIN: Readonly<Record<string, Assistant>> = {
  claude: 'claude',
  codex: 'codex',
  gemini: 'gemini',
  qwen: 'qwen',
  cursor: 'cursor',
  'cursor-agent': 'cursor',
  copilot: 'copilot',
  'copilot-language-server': 'copilot',
};
const PACKAGES: readonly [RegExp, Assistant][] = [
  [/[/\\]@anthropic-ai[/\\]claude-code[/\\]/, 'claude'],
  [/[/\\]claude[/\\]versions[/\\]/, 'claude'],
  [/[/\\]@openai[/\\]codex[/\\]/, 'codex'],
  [/[/\\]@google[/\\]gemini-cli[/\\]/, 'gemini'],
  [/[/\\]@qwen-code[/\\]qwen-code[/\\]/, 'qwen'],
  [/[/\\]@github[/\\]copilot[/\\]/, 'copilot'],
];
const COPILOT_EXTENSION = /[/\\]github\.copilot(-chat)?-[\d.]+[/\\]/;
const RUNTIMES = new Set(['node', 'nodejs', 'bun', 'deno']);

function bin(arg: string): string {
  return basename(arg).replace(/\.(exe|cmd|js|mjs|cjs|appimage)$/i, '').toLowerCase();
}

/**
 * Which AI assistant a command line is, if any: the CLI binaries (`claude`, `codex`, `gemini`,
 * `qwen`, `cursor-agent`, `copilot`), the same run through node/bun from their npm packages,
 * Cursor's main process (not its `--type=` helpers) and the GitHub Copilot language server that
 * VS Code (`code`) starts for the Copilot extension. Editors without an assistant do not count.
 */
export function classifyProcess(argv: readonly string[]): Assistant | null {
  const [exe, script] = argv;
  if (!exe) return null;
  if (argv.some((a) => a.startsWith('--type='))) return null; // Electron helper processes
  const name = bin(exe);
  if (BIN[name]) return BIN[name]!;
  if (/^cursor(-[\d.]+.*)?$/.test(name)) return 'cursor';
  for (const [re, tool] of PACKAGES) if (re.test(exe)) return tool;
  if (argv.some((a) => COPILOT_EXTENSION.test(a))) return 'copilot'; // VS Code (`code`) running the Copilot server
  if (RUNTIMES.has(name) && script) {
    for (const [re, tool] of PACKAGES) if (re.test(script)) return tool;
    const s = bin(script);
    if (BIN[s] && s !== 'cursor') return BIN[s]!;
  }
  return null;
}

/** `/proc/<pid>/stat`: parent pid and start time (fields 4 and 22, after the command's parentheses). */
export function parseProcStat(text: string): { ppid: number; startTime: string } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTime = fields[19];
  return Number.isFinite(ppid) && startTime ? { ppid, startTime } : undefined;
}

/** Processes from a procfs mount (Linux). Processes that vanish while being read are skipped. */
export function procfsSource(procRoot: string): ProcessSource {
  return async () => {
    const out: ProcessInfo[] = [];
    for (const entry of await readdir(procRoot)) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const raw = await readFile(join(procRoot, entry, 'cmdline'));
        const argv = raw.toString('utf8').split('\0');
        if (argv[argv.length - 1] === '') argv.pop();
        if (!argv.length) continue; // kernel threads
        const p: ProcessInfo = { pid: Number(entry), argv };
        const st = await readFile(join(procRoot, entry, 'stat'), 'utf8').then(parseProcStat, () => undefined);
        if (st) (p.ppid = st.ppid), (p.startKey = st.startTime);
        out.push(p);
      } catch {
        // gone, or not ours to read
      }
    }
    return out;
  };
}

/** A process's working directory from procfs, or null (not Linux, gone, or not ours). */
export async function procCwd(procRoot: string, pid: number): Promise<string | null> {
  try {
    return await readlink(join(procRoot, String(pid), 'cwd'));
  } catch {
    return null;
  }
}

/** `ps -axo pid=,ppid=,lstart=,args=` output → processes (args split on spaces: good enough to classify). */
export function parsePs(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d{4})\s+(.+)$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]), startKey: m[3]!.replace(/\s+/g, ' '), argv: m[4]!.trim().split(/\s+/) });
  }
  return out;
}

/** Processes from `ps` (macOS, BSD, Linux without /proc). */
export const psSource: ProcessSource = () =>
  new Promise((resolve, reject) => {
    execFile('ps', ['-axo', 'pid=,ppid=,lstart=,args='], { maxBuffer: 32 << 20, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) =>
      err ? reject(err) : resolve(parsePs(stdout)),
    );
  });

export interface AssistantProcess {
  tool: Assistant;
  pid: number;
  startKey: string;
}

/**
 * The assistants running now: one entry per assistant process tree (a wrapper and the binary it
 * starts are one), our own process excluded.
 */
export function detectAssistants(procs: readonly ProcessInfo[], selfPid = process.pid): AssistantProcess[] {
  const tools = new Map<number, Assistant>();
  for (const p of procs) {
    if (p.pid === selfPid) continue;
    const tool = classifyProcess(p.argv);
    if (tool) tools.set(p.pid, tool);
  }
  const out: AssistantProcess[] = [];
  for (const p of procs) {
    const tool = tools.get(p.pid);
    if (!tool) continue;
    if (p.ppid !== undefined && tools.get(p.ppid) === tool) continue;
    out.push({ tool, pid: p.pid, startKey: p.startKey ?? '' });
  }
  return out;
}

/**
 * Remembers which assistant processes were running (in `ai_monitor__processes`, so a restart does
 * not announce them again) and reports which started and stopped since the last look.
 */
export class ProcessTracker {
  private readonly all: SqlStatement;
  private readonly insert: SqlStatement;
  private readonly remove: SqlStatement;

  constructor(
    private readonly db: SqlDatabase,
    prefix: string,
  ) {
    this.all = db.prepare(`SELECT pid, tool, start_key AS startKey FROM ${prefix}processes`);
    this.insert = db.prepare(`INSERT OR REPLACE INTO ${prefix}processes (pid, tool, start_key, started_at) VALUES (?, ?, ?, ?)`);
    this.remove = db.prepare(`DELETE FROM ${prefix}processes WHERE pid = ? AND tool = ?`);
  }

  update(current: readonly AssistantProcess[], now: number): { started: AssistantProcess[]; stopped: AssistantProcess[] } {
    const key = (p: AssistantProcess) => `${p.pid}\0${p.tool}\0${p.startKey}`;
    const before = this.all.all() as AssistantProcess[];
    const was = new Set(before.map(key));
    const is = new Set(current.map(key));
    const started = current.filter((p) => !was.has(key(p)));
    const stopped = before.filter((p) => !is.has(key(p)));
    this.db.transaction(() => {
      for (const p of stopped) this.remove.run(p.pid, p.tool);
      for (const p of started) this.insert.run(p.pid, p.tool, p.startKey, now);
    })();
    return { started, stopped };
  }
}
