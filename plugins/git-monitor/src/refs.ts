// What a repository's refs look like at one moment, what changed between two such moments, and
// what its reflog says about why. Plain functions, no git process and no kernel.

/** The `for-each-ref` format {@link parseRefs} reads. */
export const REFS_FORMAT = '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(tree)%00%(symref)%00%(creatordate:unix)';
/** The refs {@link parseRefs} needs: branches, tags, the stash and the remotes' HEADs. */
export const REFS_PATTERNS = ['refs/heads', 'refs/tags', 'refs/stash', 'refs/remotes/*/HEAD'];

export interface RefEntry {
  name: string;
  hash: string;
  type: string;
  /** For an annotated tag: the object it points at. */
  peeled: string | null;
  /** For a commit: its tree. */
  tree: string | null;
  /** For a symbolic ref (refs/remotes/origin/HEAD): its target. */
  symref: string | null;
  /** Commit date, or tagger date of an annotated tag (ms). */
  dateMs: number | null;
}

export function parseRefs(output: string): RefEntry[] {
  const refs: RefEntry[] = [];
  for (const line of output.split('\n')) {
    if (!line) continue;
    const [name, hash, type, peeled, tree, symref, date] = line.split('\0');
    if (!name || !hash) continue;
    const seconds = Number(date);
    refs.push({
      name,
      hash,
      type: type ?? '',
      peeled: peeled || null,
      tree: tree || null,
      symref: symref || null,
      dateMs: date && Number.isFinite(seconds) ? seconds * 1000 : null,
    });
  }
  return refs;
}

export interface HeadState {
  /** The branch checked out, or null when HEAD is detached (or unborn and unknown). */
  branch: string | null;
  /** The commit HEAD points at, or null in a repository with no commits yet. */
  hash: string | null;
}

/** The part of a repository's state the monitor remembers between scans (stored as JSON). */
export interface RepoState {
  branches: Record<string, { hash: string; tree: string | null }>;
  /** Tag name → the object it points at (a tag object or a commit). */
  tags: Record<string, string>;
  /** Worktree path → its HEAD. */
  heads: Record<string, HeadState>;
  stash: string | null;
  /** Recent stash commits, newest first, so a `stash pop` is not taken for a new stash. */
  stashSeen: string[];
  defaultBranch: string | null;
}

const STASH_MEMORY = 50;

/** Parse the content of a HEAD file: `ref: refs/heads/main` or a hash. */
export function parseHeadFile(text: string): { ref: string | null; hash: string | null } {
  const t = text.trim();
  if (t.startsWith('ref:')) return { ref: t.slice(4).trim(), hash: null };
  return /^[0-9a-f]{40,64}$/.test(t) ? { ref: null, hash: t } : { ref: null, hash: null };
}

/** Which branch is the default: the remote's HEAD, else the first of `candidates` that exists, else a checked-out one. */
export function pickDefaultBranch(refs: readonly RefEntry[], candidates: readonly string[], heads: readonly HeadState[]): string | null {
  const branches = new Set(refs.filter((r) => r.name.startsWith('refs/heads/')).map((r) => r.name.slice(11)));
  const remoteHeads = refs.filter((r) => r.symref && /^refs\/remotes\/[^/]+\/HEAD$/.test(r.name));
  const origin = remoteHeads.find((r) => r.name === 'refs/remotes/origin/HEAD') ?? remoteHeads[0];
  if (origin?.symref) {
    const remote = origin.name.split('/')[2] as string;
    const name = origin.symref.slice(`refs/remotes/${remote}/`.length);
    if (name && branches.has(name)) return name;
  }
  for (const c of candidates) if (branches.has(c)) return c;
  return heads.find((h) => h.branch && branches.has(h.branch))?.branch ?? [...branches].sort()[0] ?? null;
}

/** Build the state to remember from refs and HEADs; `prev` carries the stash memory over. */
export function buildState(refs: readonly RefEntry[], heads: Record<string, { ref: string | null; hash: string | null }>, defaultCandidates: readonly string[], prev: RepoState | null): RepoState {
  const branches: RepoState['branches'] = {};
  const tags: RepoState['tags'] = {};
  let stash: string | null = null;
  for (const r of refs) {
    if (r.name.startsWith('refs/heads/')) branches[r.name.slice(11)] = { hash: r.hash, tree: r.tree };
    else if (r.name.startsWith('refs/tags/')) tags[r.name.slice(10)] = r.hash;
    else if (r.name === 'refs/stash') stash = r.hash;
  }
  const headStates: RepoState['heads'] = {};
  for (const [worktree, h] of Object.entries(heads)) {
    const branch = h.ref?.startsWith('refs/heads/') ? h.ref.slice(11) : null;
    headStates[worktree] = { branch, hash: branch ? (branches[branch]?.hash ?? null) : h.hash };
  }
  const stashSeen = prev?.stashSeen ?? [];
  return {
    branches,
    tags,
    heads: headStates,
    stash,
    stashSeen: stash && !stashSeen.includes(stash) ? [stash, ...stashSeen].slice(0, STASH_MEMORY) : stashSeen,
    defaultBranch: pickDefaultBranch(refs, defaultCandidates, Object.values(headStates)),
  };
}

export interface StateChanges {
  branchesCreated: { name: string; hash: string }[];
  branchesDeleted: { name: string; hash: string }[];
  branchesMoved: { name: string; from: string; to: string }[];
  /** New tag names, and names that now point elsewhere (`replaced` is the old object). */
  tagsCreated: { name: string; hash: string; replaced: string | null }[];
  headsSwitched: { worktree: string; from: string | null; to: string | null; hash: string | null }[];
  /** Detached HEADs that moved (commits made on a detached HEAD). */
  detachedMoved: { worktree: string; from: string | null; to: string }[];
  /** A stash entry this repository has not had before. */
  stashCreated: string | null;
}

/** What changed between two states. Worktrees that appeared or vanished count as no switch. */
export function diffState(prev: RepoState, next: RepoState): StateChanges {
  const c: StateChanges = { branchesCreated: [], branchesDeleted: [], branchesMoved: [], tagsCreated: [], headsSwitched: [], detachedMoved: [], stashCreated: null };
  for (const [name, b] of Object.entries(next.branches)) {
    const old = prev.branches[name];
    if (!old) c.branchesCreated.push({ name, hash: b.hash });
    else if (old.hash !== b.hash) c.branchesMoved.push({ name, from: old.hash, to: b.hash });
  }
  for (const [name, b] of Object.entries(prev.branches)) if (!next.branches[name]) c.branchesDeleted.push({ name, hash: b.hash });
  for (const [name, hash] of Object.entries(next.tags)) {
    const old = prev.tags[name];
    if (old !== hash) c.tagsCreated.push({ name, hash, replaced: old ?? null });
  }
  for (const [worktree, h] of Object.entries(next.heads)) {
    const old = prev.heads[worktree];
    if (!old) continue;
    if (old.branch !== h.branch) c.headsSwitched.push({ worktree, from: old.branch, to: h.branch, hash: h.hash });
    if (h.branch === null && h.hash && h.hash !== old.hash) c.detachedMoved.push({ worktree, from: old.hash, to: h.hash });
  }
  if (next.stash && next.stash !== prev.stash && !prev.stashSeen.includes(next.stash)) c.stashCreated = next.stash;
  return c;
}

export interface ReflogEntry {
  old: string;
  new: string;
  ms: number;
  message: string;
}

/** Parse reflog lines: `<old> <new> <name> <<email>> <seconds> <tz>\t<message>`. Oldest first. */
export function parseReflog(text: string): ReflogEntry[] {
  const entries: ReflogEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) .*?> (\d+) [+-]\d{4}(?:\t(.*))?$/.exec(line);
    if (m) entries.push({ old: m[1] as string, new: m[2] as string, ms: Number(m[3]) * 1000, message: m[4] ?? '' });
  }
  return entries;
}

export type RefMoveKind = 'commit' | 'amend' | 'rebase' | 'reset' | 'fast-forward' | 'pull' | 'cherry-pick' | 'merge' | 'filter-branch' | 'created' | 'other';

/** Why a ref moved, from its reflog message; `merged` names the branch of a fast-forward merge. */
export function classifyReflog(message: string): { kind: RefMoveKind; merged: string | null } {
  const m = message.trim();
  const ff = /^merge (.+): Fast-forward$/.exec(m);
  if (ff) return { kind: 'fast-forward', merged: ff[1] as string };
  if (/^commit \(amend\)/.test(m)) return { kind: 'amend', merged: null };
  if (/^(rebase|pull --rebase)/.test(m)) return { kind: 'rebase', merged: null };
  if (/^(reset:|branch: Reset to|update by push|checkout: moving)/.test(m)) return { kind: 'reset', merged: null };
  if (/^pull\b/.test(m)) return { kind: 'pull', merged: null };
  if (/^cherry-pick/.test(m)) return { kind: 'cherry-pick', merged: null };
  if (/^merge /.test(m) || /^commit \(merge\)/.test(m)) return { kind: 'merge', merged: null };
  if (/^commit( \(initial\))?:/.test(m)) return { kind: 'commit', merged: null };
  if (/^filter-branch/.test(m)) return { kind: 'filter-branch', merged: null };
  if (/^branch: Created from/.test(m)) return { kind: 'created', merged: null };
  return { kind: 'other', merged: null };
}

/** The branch and message of a stash entry's reflog message ("WIP on main: abc fix", "On main: mine"). */
export function parseStashMessage(message: string): { branch: string | null; message: string } {
  const m = /^(?:WIP on|On) (.+?): (.*)$/.exec(message.trim());
  if (!m) return { branch: null, message: message.trim() };
  return { branch: m[1] === '(no branch)' ? null : (m[1] as string), message: m[2] as string };
}
