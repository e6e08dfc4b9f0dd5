// Real git repositories in temp directories, made with the git CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const BASE_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_EDITOR: 'true',
  GIT_SEQUENCE_EDITOR: 'true',
  GIT_MERGE_AUTOEDIT: 'no',
};

/** A temp directory removed after the test. */
export function tempDir(t: { after(fn: () => unknown): void }, prefix = 'gitmon-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Run git in `cwd`; `env` adds variables (e.g. dates). Returns stdout, trimmed. */
export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, env: { ...BASE_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Like git(), but returns the error instead of throwing (for commands expected to fail, like a conflicting rebase). */
export function gitMayFail(cwd: string, args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: git(cwd, args) };
  } catch (e) {
    return { ok: false, output: String((e as { stderr?: string }).stderr ?? e) };
  }
}

export function write(dir: string, file: string, content: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
}

/** Write files and commit them; returns the new commit's hash. `date` sets author and committer date (ISO). */
export function commit(dir: string, message: string, files: Record<string, string> = {}, date?: string): string {
  for (const [f, c] of Object.entries(files)) write(dir, f, c);
  git(dir, ['add', '-A']);
  const env: Record<string, string> = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {};
  git(dir, ['commit', '-q', '--allow-empty', '-m', message], env);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** A new repository at `dir` (created) with branch main and one commit. */
export function initRepo(dir: string, first = 'chore: initial commit', date?: string): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  return commit(dir, first, { 'README.md': '# test\n' }, date);
}

export const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/**
 * A repository with `n` commits on main made with `git fast-import` (fast: one process), commit
 * dates spread over the last `days` days, each touching 1–3 of 50 files.
 */
export function fastImportRepo(dir: string, n: number, days = 100): void {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  const now = Math.floor(Date.now() / 1000);
  const step = Math.max(1, Math.floor((days * 86_400) / n));
  const parts: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  for (let i = 1; i <= n; i++) {
    const ts = now - (n - i) * step - 60;
    parts.push(`commit refs/heads/main\nmark :${i}\nauthor Ada <ada@example.com> ${ts} +0000\ncommitter Ada <ada@example.com> ${ts} +0000\n`);
    parts.push(data(`feat(gen): change ${i} PROJ-${(i % 97) + 1}\n\nGenerated.\n`));
    if (i > 1) parts.push(`from :${i - 1}\n`);
    for (let k = 0; k < 1 + (i % 3); k++) parts.push(`M 644 inline src/file${(i * 7 + k) % 50}.txt\n${data(`line ${i}\n`.repeat(1 + (i % 5)))}`);
    parts.push('\n');
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: parts.join(''), env: BASE_ENV, stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  git(dir, ['reset', '-q', '--hard', 'main']);
}
