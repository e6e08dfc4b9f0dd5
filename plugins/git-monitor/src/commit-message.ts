// Reading meaning out of a commit message: subject, Conventional Commits header, trailers and
// issue keys. Plain functions, no git and no kernel.

export interface Conventional {
  type: string;
  scope: string | null;
  breaking: boolean;
}

export interface Trailer {
  key: string;
  value: string;
}

/** The subject (first paragraph, lines joined by a space, as git's `%s`) and the rest. */
export function splitMessage(message: string): { subject: string; body: string } {
  let text = message.includes('\r') ? message.replace(/\r\n/g, '\n') : message;
  if (text.charCodeAt(0) === 10) text = text.replace(/^\n+/, '');
  const nl = text.indexOf('\n');
  // The common case: a one-line subject, then nothing or a blank line.
  if (nl < 0) return { subject: text.trim(), body: '' };
  if (text.charCodeAt(nl + 1) === 10 || nl === text.length - 1) {
    return { subject: text.slice(0, nl).trim(), body: text.slice(nl + 1).replace(/^\s*\n/, '').trimEnd() };
  }
  const end = text.search(/\n[ \t]*\n/);
  const first = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end).replace(/^\s*\n/, '');
  return { subject: first.split('\n').map((l) => l.trim()).join(' ').trim(), body: body.trimEnd() };
}

// type(scope)!: description — https://www.conventionalcommits.org/en/v1.0.0/
const HEADER_RE = /^([A-Za-z][A-Za-z0-9-]*)(?:\(([^()\r\n]*)\))?(!)?: +\S/;

/**
 * The Conventional Commits header of a subject (`feat(api)!: …`), or null when it has none.
 * `breaking` is also set by a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer in the body.
 */
export function parseConventional(subject: string, body = ''): Conventional | null {
  const m = HEADER_RE.exec(subject.trim());
  if (!m) return null;
  const scope = m[2]?.trim();
  const breaking = m[3] === '!' || /^BREAKING[ -]CHANGE: /m.test(body);
  return { type: (m[1] as string).toLowerCase(), scope: scope ? scope : null, breaking };
}

// A trailer line as git-interpret-trailers accepts it ("Token: value"), plus the Conventional
// Commits footer "BREAKING CHANGE: …" whose token has a space.
const TRAILER_RE = /^(BREAKING CHANGE|[A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;
// Trailers git itself writes; one of them lets a mixed paragraph count as a trailer block.
const GIT_TRAILERS = /^(Signed-off-by|\(cherry picked from commit )/i;

/**
 * The trailers of a commit message (`Co-authored-by: …`, `Signed-off-by: …`, `Refs: …`): the last
 * paragraph, when it is not the subject and it is made of trailers — all of its lines, or at least
 * a quarter of them with one written by git (the rule git-interpret-trailers uses). Folded
 * continuation lines (starting with white space) are joined.
 */
export function parseTrailers(message: string): Trailer[] {
  // Most messages have no trailers: only look further when the last paragraph has a colon.
  const text = message.replace(/\r\n/g, '\n').trim();
  const lastBreak = text.lastIndexOf('\n\n');
  if (lastBreak < 0 || text.indexOf(':', lastBreak) < 0) return [];
  const paragraphs = text.split(/\n[ \t]*\n/);
  if (paragraphs.length < 2) return [];
  const lines = (paragraphs[paragraphs.length - 1] as string).split('\n').filter((l) => !l.startsWith('#'));
  const trailers: Trailer[] = [];
  let others = 0;
  let fromGit = false;
  for (const line of lines) {
    const last = trailers[trailers.length - 1];
    if (/^[ \t]+\S/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const m = TRAILER_RE.exec(line);
    if (m) {
      trailers.push({ key: m[1] as string, value: (m[2] as string).trim() });
      if (GIT_TRAILERS.test(line)) fromGit = true;
    } else if (line.trim()) {
      others++;
      if (GIT_TRAILERS.test(line)) fromGit = true;
    }
  }
  if (!trailers.length) return [];
  if (others === 0) return trailers;
  return fromGit && trailers.length * 3 >= others ? trailers : [];
}

// Issue keys in the Jira style: PROJ-123. Words that look like keys but are not.
const NOT_KEYS = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'CVE', 'GHSA', 'HTTP', 'TLS', 'SSL', 'AES', 'RSA', 'MD', 'X', 'ES', 'ECMA', 'PEP', 'IEEE', 'WIN', 'V']);
// In branch names people write keys in lower case too (feature/proj-123-login), but there words
// like "release-2" or "fix-12" are common; those prefixes are not keys.
const NOT_BRANCH_KEYS = new Set(['RELEASE', 'RELEASES', 'HOTFIX', 'FIX', 'FEATURE', 'FEAT', 'BUGFIX', 'BUG', 'CHORE', 'REFACTOR', 'TEST', 'DEPS', 'BUMP', 'VERSION', 'RC', 'BETA', 'ALPHA', 'STAGE', 'SPRINT', 'WIP']);
const HAS_KEY_SHAPE = /[A-Za-z0-9_]-[1-9]/;
const MESSAGE_KEY_RE = /(?<![A-Za-z0-9_-])([A-Z][A-Z0-9_]{0,19})-([1-9][0-9]{0,8})(?![A-Za-z0-9_]|-[0-9])/g;
const BRANCH_KEY_RE = /(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9_]{0,19})-([1-9][0-9]{0,8})(?![0-9])/g;

/**
 * Issue keys (`PROJ-123`) mentioned in the branch name and the message, branch first, each once,
 * upper-cased. With `prefixes` (e.g. `['PROJ', 'OPS']`) only those projects count; without, any
 * key-like word counts except the usual false friends (UTF-8, SHA-256, ISO-8601, RFC-2119…).
 */
export function extractIssueKeys(message: string, branch: string | null, prefixes: readonly string[] = []): string[] {
  // Every key has "-<digit>": most messages and branch names have none, so skip the regexes.
  const inBranch = branch !== null && HAS_KEY_SHAPE.test(branch);
  if (!inBranch && !HAS_KEY_SHAPE.test(message)) return [];
  const allowed = prefixes.length ? new Set(prefixes.map((p) => p.toUpperCase())) : null;
  const keys = new Set<string>();
  const add = (project: string, n: string, fromBranch: boolean) => {
    const p = project.toUpperCase();
    if (allowed ? !allowed.has(p) : NOT_KEYS.has(p) || (fromBranch && NOT_BRANCH_KEYS.has(p))) return;
    keys.add(`${p}-${n}`);
  };
  if (branch && inBranch) {
    for (const m of branch.matchAll(BRANCH_KEY_RE)) {
      // Lower-case keys (feature/proj-123-login) only count as a whole word at the start of a
      // path segment; upper-case ones anywhere.
      const project = m[1] as string;
      const atSegmentStart = m.index === 0 || branch[m.index - 1] === '/';
      if (project !== project.toUpperCase() && !(atSegmentStart && /^[a-z]+$/.test(project))) continue;
      add(project, m[2] as string, true);
    }
  }
  for (const m of message.matchAll(MESSAGE_KEY_RE)) add(m[1] as string, m[2] as string, false);
  return [...keys];
}

/** The pull/merge request number a squash-merged subject ends with: "Add login (#123)" → 123. */
export function prNumberSuffix(subject: string): number | null {
  const m = /\((?:#|!)([1-9][0-9]{0,8})\)\s*$/.exec(subject);
  return m ? Number(m[1]) : null;
}
