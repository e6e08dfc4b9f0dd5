import { basename } from 'node:path';
import type { RunKind } from './types.js';

const SECRET_NAME = /(token|secret|passw(or)?d|passwd|pwd|api[-_]?key|apikey|auth|credential|private[-_]?key|access[-_]?key|session|cookie|signature)/i;
const SECRET_FLAG = new RegExp(`^--?[A-Za-z0-9_.-]*${SECRET_NAME.source}[A-Za-z0-9_.-]*$`, 'i');
/** Well-known token shapes, wherever they appear in an argument. */
const TOKEN_SHAPES = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{16,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\b(?:sk|rk|pk)[-_](?:live|test|proj|ant)?[-_]?[A-Za-z0-9_-]{16,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bnpm_[A-Za-z0-9]{30,}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
];
export const REDACTED = '***';
export const MAX_COMMAND_CHARS = 2000;

function redactText(arg: string): string {
  let out = arg
    // scheme://user:password@host → scheme://user:***@host; scheme://token@host → scheme://***@host
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi, `$1$2:${REDACTED}@`)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]{20,})@/gi, `$1${REDACTED}@`)
    .replace(/\b(authorization|x-api-key|api-key|private-token|cookie)(\s*[:=]\s*)(.+)$/i, `$1$2${REDACTED}`)
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`);
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, REDACTED);
  return out;
}

/**
 * The argument vector with secrets replaced by `***`: values of secret-looking flags
 * (`--token=x`, `--api-key x`), secret-looking `NAME=value` assignments, credentials in URLs,
 * authorization headers and well-known token shapes (GitHub, GitLab, Slack, AWS, npm, JWTs, …).
 *
 * @example
 * ```ts
 * redactArgs(['deploy', '--token', 'abc123', 'API_KEY=xyz']); // ['deploy', '--token', '***', 'API_KEY=***']
 * ```
 */
export function redactArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      hideNext = false;
      if (!arg.startsWith('-')) {
        out.push(REDACTED);
        continue;
      }
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      const name = arg.slice(0, eq);
      if ((SECRET_FLAG.test(name) || (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) && SECRET_NAME.test(name))) && eq < arg.length - 1) {
        out.push(`${name}=${REDACTED}`);
        continue;
      }
    } else if (SECRET_FLAG.test(arg) && !arg.startsWith('--no-')) {
      hideNext = true;
    }
    out.push(redactText(arg));
  }
  return out;
}

/** One argument as a shell would need it, so the joined command reads unambiguously. */
function quote(arg: string): string {
  if (arg === '') return "''";
  return /^[A-Za-z0-9_@%+=:,./*-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command as recorded: redacted, shell-quoted, joined, at most {@link MAX_COMMAND_CHARS}. */
export function commandLine(argv: readonly string[]): string {
  const line = redactArgs(argv).map(quote).join(' ');
  return line.length > MAX_COMMAND_CHARS ? `${line.slice(0, MAX_COMMAND_CHARS - 1)}…` : line;
}

const wordRegex = (word: string) => new RegExp(`^${word.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** The program name as people type it: `/usr/bin/make` → `make`, `npm.cmd` → `npm`. */
const program = (arg: string) => basename(arg).replace(/\.(exe|cmd|bat|ps1)$/i, '');

/**
 * Whether a command matches a pattern such as `npm run build*`, `go test` or `vercel`: the
 * pattern's words appear in a row in the command (the first compared with the program's base
 * name, so `./node_modules/.bin/tsc` is `tsc`); `*` matches anything within one word.
 *
 * @example
 * ```ts
 * matchesPattern(['npx', 'tsc', '-b'], 'tsc');                       // true
 * matchesPattern(['npm', 'run', 'build:prod'], 'npm run build*');    // true
 * ```
 */
export function matchesPattern(argv: readonly string[], pattern: string): boolean {
  const words = pattern.trim().split(/\s+/).filter(Boolean).map(wordRegex);
  if (!words.length || words.length > argv.length) return false;
  for (let i = 0; i + words.length <= argv.length; i++) {
    if (!(words[0] as RegExp).test(program(argv[i] as string))) continue;
    if (words.every((w, j) => j === 0 || w.test(argv[i + j] as string))) return true;
  }
  return false;
}

export interface KindPatterns {
  testPatterns: readonly string[];
  buildPatterns: readonly string[];
  deployPatterns: readonly string[];
}

/**
 * What kind of run this was. An explicit kind wins; then deploy patterns (a deploy that runs its
 * tests is still a deploy); then test (a runner summary was recognized, or a test pattern matched);
 * then build patterns; else `other`.
 *
 * @example
 * ```ts
 * classify(['make'], { runnerRecognized: true, patterns }); // 'test' (make ran tests)
 * classify(['make'], { runnerRecognized: false, patterns }); // 'build'
 * ```
 */
export function classify(argv: readonly string[], opts: { runnerRecognized: boolean; patterns: KindPatterns; kind?: RunKind | undefined }): RunKind {
  if (opts.kind) return opts.kind;
  const any = (list: readonly string[]) => list.some((p) => matchesPattern(argv, p));
  if (any(opts.patterns.deployPatterns)) return 'deploy';
  if (opts.runnerRecognized || any(opts.patterns.testPatterns)) return 'test';
  if (any(opts.patterns.buildPatterns)) return 'build';
  return 'other';
}
