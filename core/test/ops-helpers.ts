// Shared by the ops-*.test.ts files: temp homes, the real CLI as a child process, databases.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled tests run from core/dist/test; the CLI lives in core/bin, the compiled kernel in core/dist/src.
export const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));
export const DIST = fileURLToPath(new URL('../src/', import.meta.url));
export const LEASE_HOLDER = fileURLToPath(new URL('../../test/fixtures/storage/lease-holder.mjs', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp DEVFLOW_HOME (mode 0700, like a real data dir), removed after the test. */
export function tempHome(t: { after(fn: () => void): void }, prefix = 'devflow-ops-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Run the real CLI as a child process (asynchronously: a test may serve HTTP meanwhile). */
export function devflow(home: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: home,
      env: { ...process.env, DEVFLOW_HOME: home, DEVFLOW_CONFIG: '', XDG_CONFIG_HOME: join(home, 'xdg'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The user config of a DEVFLOW_HOME. */
export function writeConfig(home: string, config: unknown): string {
  const file = join(home, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export async function waitFor(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(what());
    await new Promise((r) => setTimeout(r, 20));
  }
}
