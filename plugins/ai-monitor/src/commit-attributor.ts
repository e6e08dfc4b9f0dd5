import { attribute, commitTime, trailerTools, type Attribution, type CommitStore } from './attribution.js';
import type { ProjectMatcher } from './paths.js';
import type { SessionStore } from './session-store.js';

/** A `git-monitor.commit.created` event as ai-monitor reads it (its payload is another plugin's). */
export interface CommitEvent {
  ts: number;
  project: string | null;
  data: Readonly<Record<string, unknown>>;
}

export type CommitAttributedData = { hash: string; repo: string } & Attribution;

/**
 * Turns git-monitor's commit events into attributions: trailers and footers of the commit, and
 * sessions of the same project active in the window before it. Each commit is attributed (and
 * announced) at most once.
 */
export class CommitAttributor {
  constructor(
    private readonly d: {
      store: SessionStore;
      commits: CommitStore;
      matcher: ProjectMatcher;
      windowMs: number;
      emit: (data: CommitAttributedData, project: string | null, ts: number) => Promise<unknown>;
      warn: (key: string, fields: Record<string, unknown>, message: string) => void;
    },
  ) {}

  async onCommit(e: CommitEvent): Promise<void> {
    const data = e.data;
    const hash = typeof data.hash === 'string' ? data.hash : undefined;
    const repo = typeof data.repo === 'string' ? data.repo : (e.project ?? undefined);
    if (!hash || !repo) {
      this.d.warn('commit', { hash: hash ?? null }, 'a git-monitor.commit.created event without "hash" and "repo" was not attributed (is git-monitor a compatible version?)');
      return;
    }
    const ts = commitTime(data, e.ts);
    const project = e.project ?? this.d.matcher.forCwd(repo);
    const named = trailerTools(data.trailers, [data.subject, data.body, data.message]);
    const { windowMs } = this.d;
    const spans = this.d.store.overlapping(ts - windowMs, ts + 60_000).map((s) => ({ ...s, project: this.d.matcher.resolve(s.cwd, s.projectHash) ?? s.project }));
    const a = attribute({ repo, project, ts, trailerTools: named }, spans, windowMs);
    if (!a || !this.d.commits.add(repo, hash, project, ts, a)) return;
    await this.d.emit({ hash, repo, ...a }, project, ts);
  }
}
