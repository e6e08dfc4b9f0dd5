import { spawn } from 'node:child_process';
import { constants as os } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter } from './lines.js';
import { OutputParser } from './output-parser.js';
import type { OutputSummary } from './types.js';

/** Signals passed on to the child while it runs (a terminal's Ctrl-C reaches both; npm forwards the same way). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** How long output may stay silent after the child exited before devflow stops waiting for its pipes to close (a background grandchild may hold them). */
export const CLOSE_GRACE_MS = 2000;

export interface RunStdio {
  /** Where the child's stdout goes, unchanged (default: this process's stdout). */
  stdout?: Writable;
  /** Where the child's stderr goes, unchanged (default: this process's stderr). */
  stderr?: Writable;
  /** The child's stdin (default `inherit`: interactive commands work). */
  stdin?: 'inherit' | 'ignore';
}

export interface RunCommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  stdio?: RunStdio;
  /** Pass SIGINT/SIGTERM/SIGHUP/SIGQUIT received by this process on to the child (the CLI does). */
  forwardSignals?: boolean;
  /** Aborting terminates the child (SIGTERM). */
  signal?: AbortSignal;
  maxFailingTests?: number;
  closeGraceMs?: number;
}

export interface RunCommandResult {
  /** The child's exit code; 128 + signal number when a signal ended it; 127 not found, 126 not runnable. */
  exitCode: number;
  /** The signal that ended the child, if one did. */
  signal: NodeJS.Signals | null;
  startedAt: number;
  durationMs: number;
  summary: OutputSummary;
  /** Why the command could not be started, when it could not. */
  spawnError: string | null;
  /** Bytes of output passed through. */
  bytes: { stdout: number; stderr: number };
}

const signalNumber = (s: NodeJS.Signals) => (os.signals as Record<string, number>)[s] ?? 0;

/** Shared by both tees: output still moving, or held back by a slow reader, keeps a run open. */
interface Flow {
  paused: number;
  activity(): void;
}

/**
 * Copy a child's stream to `out` as it comes (honouring backpressure), and a copy into the parser.
 * Returns the cleanup that detaches from `out` (which outlives the run when it is our stdout).
 */
function tee(from: Readable, out: Writable, split: LineSplitter, count: (n: number) => void, flow: Flow): () => void {
  let broken = false;
  const resume = () => {
    flow.paused--;
    flow.activity();
    from.resume();
  };
  const onError = () => {
    broken = true; // the reader went away: keep draining and parsing, stop writing
    from.resume();
  };
  out.on('error', onError);
  from.on('data', (chunk: Buffer) => {
    count(chunk.length);
    flow.activity();
    if (!broken && !out.write(chunk)) {
      flow.paused++;
      from.pause();
      out.once('drain', resume);
    }
    split.push(chunk);
  });
  return () => {
    out.off('error', onError);
    out.off('drain', resume);
  };
}

/**
 * Run a command as `devflow run` does: output passes through unchanged and undelayed (chunks are
 * written as they arrive; the parser reads a copy, line by line, in bounded memory), stdin is
 * inherited, signals are forwarded, and the exit code comes back as the shell would report it.
 * A command that cannot be started resolves (127/126 with a message on stderr) rather than
 * throwing.
 *
 * @example
 * ```ts
 * const r = await runCommand(['npm', 'test'], { cwd: process.cwd(), forwardSignals: true });
 * process.exitCode = r.exitCode;
 * ```
 */
export function runCommand(argv: readonly string[], options: RunCommandOptions): Promise<RunCommandResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('no command given: pass the command to run after "--", e.g. devflow run -- npm test'));
  const stdout = options.stdio?.stdout ?? process.stdout;
  const stderr = options.stdio?.stderr ?? process.stderr;
  const parser = new OutputParser(options.maxFailingTests);
  const bytes = { stdout: 0, stderr: 0 };
  const startedAt = Date.now();
  const t0 = performance.now();

  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.stdio?.stdin ?? 'inherit', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const splits = [new LineSplitter((l) => parser.line(l)), new LineSplitter((l) => parser.line(l))] as const;
    let exited: { exit: number | null; signal: NodeJS.Signals | null } | undefined;
    let grace: NodeJS.Timeout | undefined;
    const graceMs = options.closeGraceMs ?? CLOSE_GRACE_MS;
    // After the command exits, 'close' waits for whatever holds its pipes (a background grandchild):
    // give up after graceMs without output, but never while a slow reader holds output back.
    const flow: Flow = {
      paused: 0,
      activity: () => {
        if (!exited) return;
        clearTimeout(grace);
        if (flow.paused === 0) grace = setTimeout(giveUp, graceMs);
      },
    };
    const giveUp = () => {
      if (flow.paused > 0 || !exited) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish(code(exited.exit, exited.signal), exited.signal, null);
    };
    const detach = [
      tee(child.stdout as Readable, stdout, splits[0], (n) => (bytes.stdout += n), flow),
      tee(child.stderr as Readable, stderr, splits[1], (n) => (bytes.stderr += n), flow),
    ];

    const forward = (sig: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    };
    const handlers = options.forwardSignals ? FORWARDED_SIGNALS.map((sig) => [sig, () => forward(sig)] as const) : [];
    for (const [sig, h] of handlers) process.on(sig, h);
    const onAbort = () => forward('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const finish = (exitCode: number, signal: NodeJS.Signals | null, spawnError: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(grace);
      for (const [sig, h] of handlers) process.off(sig, h);
      options.signal?.removeEventListener('abort', onAbort);
      for (const d of detach) d();
      for (const s of splits) s.end();
      resolve({ exitCode, signal, startedAt, durationMs: Math.round(performance.now() - t0), summary: parser.result(), spawnError, bytes });
    };

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // a kill that failed; the exit still comes
      const notFound = err.code === 'ENOENT';
      const message = notFound ? `command not found: ${file}` : err.code === 'EACCES' ? `permission denied: ${file}` : `cannot run ${file}: ${err.message}`;
      stderr.write(`devflow: ${message}\n`);
      finish(notFound ? 127 : 126, null, message);
    });
    const code = (exit: number | null, signal: NodeJS.Signals | null) => (signal ? 128 + signalNumber(signal) : (exit ?? 1));
    child.on('exit', (exit, signal) => {
      exited = { exit, signal };
      flow.activity();
    });
    child.on('close', (exit, signal) => finish(code(exit, signal), signal, null));
  });
}
