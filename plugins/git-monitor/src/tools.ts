// git-monitor's MCP tools: recent commits (from its table), branches (live from git), and the
// history import with progress.
import { basename, isAbsolute, resolve, sep } from 'node:path';
import type { PluginContext } from '@devflow/plugin-sdk';
import { branchReport } from './branches.js';
import type { GitMonitorConfig } from './config.js';
import { discoverRepositories, type Repository } from './discover.js';
import { backfill } from './backfill.js';
import type { MonitorDeps } from './recording.js';
import type { CommitRow, GitStore } from './store.js';
import { parseSince } from '@devflow/plugin-sdk';

const REPO_ARG = { type: 'string', minLength: 1, maxLength: 4096, description: 'Repository: its absolute path, or its directory name (e.g. "webapp").' } as const;
const PROJECT_ARG = { type: 'string', minLength: 1, maxLength: 4096, description: 'Project root path, as configured.' } as const;
const INDEX_TTL_MS = 30_000;

/** The repositories under the project roots, found again at most every 30 s (tools run in every process). */
export class RepoIndex {
  private cache: { at: number; repos: Repository[] } | null = null;

  constructor(
    private readonly roots: readonly string[],
    private readonly config: Pick<GitMonitorConfig, 'maxDepth' | 'ignoreDirs'>,
    /** The repositories the running monitor watches, when this process runs it (no search needed). */
    private readonly live: () => Repository[] | null = () => null,
  ) {}

  async list(signal?: AbortSignal): Promise<Repository[]> {
    const live = this.live();
    if (live) return live;
    if (this.cache && Date.now() - this.cache.at < INDEX_TTL_MS) return this.cache.repos;
    const { repos } = await discoverRepositories(this.roots, { maxDepth: this.config.maxDepth, ignore: this.config.ignoreDirs, ...(signal ? { signal } : {}) });
    this.cache = { at: Date.now(), repos };
    return repos;
  }
}

/** The paths among `known` that `arg` names: the same absolute path, or the same directory name / path suffix. */
export function matchRepos(arg: string, known: readonly string[]): string[] {
  if (isAbsolute(arg)) {
    const p = resolve(arg);
    return known.filter((k) => k === p);
  }
  const suffix = arg.replace(/[\\/]+$/, '');
  return known.filter((k) => basename(k) === suffix || k.endsWith(sep + suffix));
}

function commitView(r: CommitRow) {
  return {
    repo: r.repo,
    hash: r.hash,
    branch: r.branch,
    author: r.author_name,
    email: r.author_email,
    committedAt: new Date(r.committed_at).toISOString(),
    subject: r.subject.length > 200 ? `${r.subject.slice(0, 199)}…` : r.subject,
    type: r.conventional_type,
    issueKeys: r.issue_keys ? r.issue_keys.split(' ') : [],
    files: r.files,
    added: r.added,
    removed: r.removed,
    merge: r.parents.includes(' '),
  };
}

export function registerGitTools(ctx: PluginContext<GitMonitorConfig>, store: GitStore, deps: MonitorDeps, index: RepoIndex): void {
  const unknownRepo = (arg: string, known: readonly string[]) =>
    new Error(`no repository "${arg}" under the project roots${known.length ? `; known: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : ' (none found: check the "projects" in the config)'}`);

  ctx.tools.register(
    {
      name: 'git_recent_commits',
      title: 'Recent git commits',
      group: 'git',
      everyday: true,
      description:
        'Commits recorded in the git repositories under the projects, newest first: hash, branch, author, time, subject, Conventional Commit type, issue keys and lines changed. Filter by repo (path or name), project, branch, author (name or email substring) and time (since/until: "24h", "7d", ISO time). Page with the returned cursor. Use it for "what did I (or we) commit", stand-ups and changelogs.',
      permission: 'git:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          repo: REPO_ARG,
          project: PROJECT_ARG,
          branch: { type: 'string', minLength: 1, maxLength: 500 },
          since: { type: 'string', maxLength: 64, description: 'ISO time, epoch ms, or a duration back from now such as "24h" or "7d".' },
          until: { type: 'string', maxLength: 64, description: 'Exclusive upper bound, same forms as since.' },
          author: { type: 'string', minLength: 1, maxLength: 200, description: 'Part of the author name or email.' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          cursor: { type: 'string', maxLength: 100, pattern: '^\\d+:\\d+$', description: 'The "next" value of the previous page.' },
        },
      },
      outputSchema: {
        type: 'object',
        properties: { commits: { type: 'array', items: { type: 'object' } }, next: { type: ['string', 'null'] } },
        required: ['commits', 'next'],
      },
    },
    (args) => {
      const time = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const t = parseSince(v);
        if (t === undefined) throw new Error(`${name} "${v}" is not an ISO time, epoch ms or a duration like "24h"`);
        return t;
      };
      const since = time('since', args.since);
      const until = time('until', args.until);
      let repos: string[] | undefined;
      if (args.repo !== undefined) {
        const known = store.knownRepos();
        repos = matchRepos(args.repo, known);
        if (!repos.length) throw unknownRepo(args.repo, known);
      }
      const [ts, rowid] = args.cursor ? args.cursor.split(':').map(Number) : [];
      const rows = store.commits({
        ...(repos ? { repos } : {}),
        ...(args.project !== undefined ? { project: args.project } : {}),
        ...(args.branch !== undefined ? { branch: args.branch } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(args.author !== undefined ? { author: args.author } : {}),
        ...(ts !== undefined && rowid !== undefined ? { after: { ts, rowid } } : {}),
        limit: args.limit + 1,
      });
      const page = rows.slice(0, args.limit);
      const last = page[page.length - 1];
      return { commits: page.map(commitView), next: rows.length > args.limit && last ? `${last.committed_at}:${last.rowid}` : null };
    },
  );

  ctx.tools.register(
    {
      name: 'git_branches',
      title: 'Git branches',
      group: 'git',
      everyday: true,
      description:
        'Local branches of the git repositories under the projects, most recently committed first: last commit, age (days since created, from the reflog, else since the last commit), commits ahead of and behind the default branch, merged or not, and which worktree has it checked out. Use it to find stale or unmerged work.',
      permission: 'git:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          repo: REPO_ARG,
          project: PROJECT_ARG,
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Most branches per repository.' },
        },
      },
      outputSchema: {
        type: 'object',
        properties: { repos: { type: 'array', items: { type: 'object' } }, moreRepos: { type: 'integer' } },
        required: ['repos', 'moreRepos'],
      },
      timeoutMs: 120_000,
    },
    async (args, call) => {
      let repos = await index.list(call.signal);
      if (args.project !== undefined) repos = repos.filter((r) => r.project === args.project);
      if (args.repo !== undefined) {
        const paths = matchRepos(args.repo, repos.map((r) => r.path));
        if (!paths.length) throw unknownRepo(args.repo, repos.map((r) => r.path));
        repos = repos.filter((r) => paths.includes(r.path));
      }
      const MAX_REPOS = 10;
      const reports = [];
      for (const repo of repos.slice(0, MAX_REPOS)) {
        if (call.signal.aborted) break;
        try {
          reports.push(await branchReport(repo, { limit: args.limit, now: Date.now(), defaultBranches: ctx.config.defaultBranches, signal: call.signal }));
        } catch (e) {
          call.logger.warn({ repo: repo.path, err: (e as Error).message }, `git-monitor: cannot list branches of ${repo.path}`);
          reports.push({ repo: repo.path, project: repo.project, error: (e as Error).message.split('\n')[0] });
        }
      }
      return { repos: reports, moreRepos: Math.max(0, repos.length - MAX_REPOS) };
    },
  );

  ctx.tools.register(
    {
      name: 'git_backfill',
      title: 'Import git history',
      group: 'git',
      description:
        'Import the commit history of the last N days (default: the configured backfillDays) of one repository (repo: path or name) or of every repository under the projects, recording commits, merges and tags not recorded before. Safe to repeat: nothing is recorded twice. Reports progress; can be cancelled.',
      permission: 'git:write',
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          repo: REPO_ARG,
          days: { type: 'integer', minimum: 1, maximum: 3650 },
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          repos: { type: 'array', items: { type: 'object' } },
          days: { type: 'integer' },
          cancelled: { type: 'boolean' },
        },
        required: ['repos', 'days', 'cancelled'],
      },
      timeoutMs: 1_800_000,
    },
    async (args, call) => {
      const days = args.days ?? (ctx.config.backfillDays || 180);
      let repos = await index.list(call.signal);
      if (args.repo !== undefined) {
        const paths = matchRepos(args.repo, repos.map((r) => r.path));
        if (!paths.length) throw unknownRepo(args.repo, repos.map((r) => r.path));
        repos = repos.filter((r) => paths.includes(r.path));
      }
      const results = [];
      let doneBefore = 0;
      call.progress({ progress: 0, message: `reading history of ${repos.length} repositories` });
      for (const repo of repos) {
        if (call.signal.aborted) break;
        try {
          const r = await backfill(repo, deps, {
            days,
            signal: call.signal,
            onProgress: (done, total) =>
              call.progress(total ? { progress: doneBefore + done, total: doneBefore + total, message: `${repo.path}: ${done}/${total} commits` } : { progress: doneBefore, message: `${repo.path}: reading history` }),
          });
          doneBefore += r.seen;
          results.push(r);
        } catch (e) {
          if (call.signal.aborted) break;
          const message = (e as Error).message.split('\n')[0] ?? '';
          call.logger.warn({ repo: repo.path, err: message }, `git-monitor: cannot import the history of ${repo.path}: ${message}`);
          results.push({ repo: repo.path, error: message });
        }
      }
      return { repos: results, days, cancelled: call.signal.aborted };
    },
  );
}
