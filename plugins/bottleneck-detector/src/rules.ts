// The rules themselves: facts in, a verdict (title, severity, evidence, suggestion) or null out.
// Pure: the engine loads the facts from the tables and decides when to ask.
import { detectSlow } from './anomaly.js';
import { DAY_MS, HOUR_MS } from './parse.js';
import type { RuleSettings, Severity } from './rule-config.js';

export interface Evidence {
  detail: string;
  eventId?: string;
  value?: number | string;
}

export interface Verdict {
  severity: Severity;
  title: string;
  subject: string;
  evidence: Evidence[];
  suggestion: string;
}

const p = (s: RuleSettings, k: string): number => s.params[k] as number;
const ev = (detail: string, eventId: string | null | undefined, value?: number | string): Evidence => ({
  detail,
  ...(eventId ? { eventId } : {}),
  ...(value !== undefined ? { value } : {}),
});
/** One level up (warn → error) once a value reaches twice its limit. */
const escalate = (s: Severity, ratio: number): Severity => (ratio >= 2 ? (s === 'info' ? 'warn' : 'error') : s);
const round1 = (n: number) => Math.round(n * 10) / 10;
export const fmtDuration = (ms: number): string =>
  ms >= 2 * DAY_MS ? `${Math.round(ms / DAY_MS)} days` : ms >= 2 * HOUR_MS ? `${round1(ms / HOUR_MS)} h` : ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${round1(ms / 1000)} s`;
const iso = (t: number) => new Date(t).toISOString();
const cap = (xs: Evidence[]) => xs.slice(0, 5);

export interface BranchFacts {
  repo: string;
  branch: string;
  createdAt: number | null;
  createdEventId: string | null;
  firstCommitAt: number | null;
  firstEventId: string | null;
  lastCommitAt: number | null;
  lastEventId: string | null;
  commits: number;
  lines: number;
}

/** The start of a branch's life: created or first commit, whichever is earlier. */
export const branchStart = (b: BranchFacts): number | null =>
  b.createdAt === null ? b.firstCommitAt : b.firstCommitAt === null ? b.createdAt : Math.min(b.createdAt, b.firstCommitAt);

export function longLivedBranch(b: BranchFacts, now: number, s: RuleSettings, defaultBranch: string): Verdict | null {
  const start = branchStart(b);
  if (start === null) return null;
  const age = now - start;
  const limit = p(s, 'branchMaxDays') * DAY_MS;
  if (age <= limit) return null;
  if (now - (b.lastCommitAt ?? start) > p(s, 'abandonedDays') * DAY_MS) return null;
  const days = Math.floor(age / DAY_MS);
  return {
    severity: escalate(s.severity, age / limit),
    title: `Branch ${b.branch} open for ${days} days`,
    subject: b.branch,
    evidence: cap([
      ev(`branch started ${iso(start)}`, b.createdAt !== null && b.createdAt === start ? b.createdEventId : b.firstEventId, days),
      ev('commits on the branch', b.lastEventId, b.commits),
      ev('lines changed on the branch', null, b.lines),
      ...(b.lastCommitAt !== null ? [ev(`last commit ${iso(b.lastCommitAt)}`, b.lastEventId)] : []),
      ev('limit (days)', null, p(s, 'branchMaxDays')),
    ]),
    suggestion: `Split branch ${b.branch} (${days} days, ${b.commits} commits) or merge ${defaultBranch} into it; merge the finished part behind a flag and keep branches under ${p(s, 'branchMaxDays')} days.`,
  };
}

export interface RedFacts {
  command: string;
  since: number;
  sinceEventId: string;
  lastEventId: string;
  fails: number;
  failingTests: string[];
}

export function redTests(r: RedFacts, now: number, s: RuleSettings): Verdict | null {
  const red = now - r.since;
  const limit = p(s, 'redMaxMinutes') * 60_000;
  if (red <= limit) return null;
  const tests = r.failingTests.slice(0, 3);
  return {
    severity: escalate(s.severity, red / limit),
    title: `Tests red for ${fmtDuration(red)}: ${r.command}`,
    subject: r.command,
    evidence: cap([
      ev(`first failing run ${iso(r.since)}`, r.sinceEventId),
      ev('failing runs in a row', r.lastEventId, r.fails),
      ...tests.map((t) => ev(`failing: ${t}`, r.lastEventId)),
    ]),
    suggestion: `Tests of "${r.command}" have been red for ${fmtDuration(red)} (${r.fails} failing runs): ${tests.length ? `fix or quarantine ${tests.join(', ')} first` : 'fix the first failure first'}; stop piling commits on a red build.`,
  };
}

/** Pass/fail alternations in an outcome string such as "PFPPF". */
export const flips = (outcomes: string): number => {
  let n = 0;
  for (let i = 1; i < outcomes.length; i++) if (outcomes[i] !== outcomes[i - 1]) n++;
  return n;
};

export function flakyTest(t: { command: string; test: string; outcomes: string; lastEventId: string }, s: RuleSettings): Verdict | null {
  const recent = t.outcomes.slice(-p(s, 'lastRuns'));
  const f = flips(recent);
  if (f < p(s, 'minFlips')) return null;
  return {
    severity: s.severity,
    title: `Flaky test: ${t.test}`,
    subject: t.test,
    evidence: [ev(`outcomes of the last ${recent.length} runs of "${t.command}" (P pass, F fail)`, null, recent), ev('pass/fail alternations', t.lastEventId, f)],
    suggestion: `Test "${t.test}" flipped between pass and fail ${f} times in its last ${recent.length} runs: quarantine it, then look for shared state, timing or test-order dependence.`,
  };
}

export interface SeriesFacts {
  kind: 'build' | 'test';
  command: string;
  /** Today's runs (the day of the evaluation time), or null when none. */
  today: { n: number; meanMs: number; maxMs: number; maxEventId: string | null; lastEventId: string | null } | null;
  /** Earlier days' mean durations, one per day with runs. */
  history: number[];
}

export function slowSeries(f: SeriesFacts, s: RuleSettings): Verdict | null {
  if (!f.today) return null;
  const d = detectSlow(f.today.meanMs, f.history, { zThreshold: p(s, 'zThreshold'), minHistory: p(s, 'minHistoryDays'), minIncrease: p(s, 'minIncrease'), maxMs: p(s, 'maxMs') });
  if (!d.slow) return null;
  const what = f.kind === 'build' ? 'Builds' : 'Test runs';
  const mean = Math.round(f.today.meanMs);
  const vs = d.median !== null ? ` vs a ${fmtDuration(d.median)} median over ${d.historyDays} days` : '';
  return {
    severity: s.severity,
    title: `${what} slow${d.reason === 'anomaly' ? 'er than usual' : ''}: ${f.command}`,
    subject: f.command,
    evidence: cap([
      ev(`mean duration today (${f.today.n} runs), ms`, f.today.lastEventId, mean),
      ...(d.median !== null ? [ev(`median of the last ${d.historyDays} days, ms`, null, Math.round(d.median))] : []),
      ...(d.z !== null ? [ev('robust z-score', null, d.z)] : []),
      ev('slowest run today, ms', f.today.maxEventId, Math.round(f.today.maxMs)),
      ...(d.reason === 'threshold' ? [ev('limit maxMs', null, p(s, 'maxMs'))] : []),
    ]),
    suggestion: `${what} of "${f.command}" average ${fmtDuration(mean)} today${vs}${d.z !== null && d.reason === 'anomaly' ? ` (z ${d.z})` : ''}: look at what changed today (dependencies, new steps, cache misses) starting from the slowest run.`,
  };
}

export interface FileFacts {
  repo: string;
  path: string;
  commits: number;
  lines: number;
  lastEventId: string | null;
}

export function hotFile(f: FileFacts, s: RuleSettings): Verdict | null {
  if (f.commits < p(s, 'minCommits') || f.lines < p(s, 'minLines')) return null;
  const w = p(s, 'windowDays');
  return {
    severity: s.severity,
    title: `Hot file: ${f.path}`,
    subject: f.path,
    evidence: [ev(`commits in ${w} days`, f.lastEventId, f.commits), ev(`lines added + removed in ${w} days`, null, f.lines), ev('repository', null, f.repo)],
    suggestion: `${f.path} changed in ${f.commits} commits (${f.lines} lines) in ${w} days: split it by responsibility or put tests around it before the next change.`,
  };
}

export function longStage(st: { stage: string; since: number; eventId: string }, now: number, s: RuleSettings): Verdict | null {
  const days = s.stages[st.stage] ?? p(s, 'maxDays');
  const limit = days * DAY_MS;
  const in_ = now - st.since;
  if (in_ <= limit) return null;
  const d = Math.floor(in_ / DAY_MS);
  return {
    severity: escalate(s.severity, in_ / limit),
    title: `In stage ${st.stage} for ${fmtDuration(in_)}`,
    subject: st.stage,
    evidence: [ev(`entered ${st.stage} ${iso(st.since)}`, st.eventId, d), ev(`limit for ${st.stage} (days)`, null, days)],
    suggestion: `The project has been in ${st.stage} for ${fmtDuration(in_)} (limit ${days} days): cut the remaining work into smaller deliverables, or raise the limit for ${st.stage} if this stage is long by nature.`,
  };
}

export interface WipFacts {
  active: number;
  branches: { branch: string; lastCommitAt: number; commits: number; lastEventId: string | null }[];
}

export function wipSpread(w: WipFacts, s: RuleSettings): Verdict | null {
  const max = p(s, 'maxBranches');
  if (w.active <= max) return null;
  const names = w.branches.slice(0, 3).map((b) => b.branch);
  return {
    severity: s.severity,
    title: `Work spread over ${w.active} active branches`,
    subject: 'branches',
    evidence: cap([ev(`active unmerged branches (commit in the last ${p(s, 'activeDays')} days)`, null, w.active), ...w.branches.slice(0, 4).map((b) => ev(`${b.branch}: last commit ${iso(b.lastCommitAt)}`, b.lastEventId, b.commits))]),
    suggestion: `${w.active} branches had commits in the last ${p(s, 'activeDays')} days (limit ${max}): finish and merge one (${names.join(', ')}) before starting another.`,
  };
}

export interface ReviewFacts {
  provider: string;
  number: string;
  title: string | null;
  branch: string | null;
  requestedAt: number;
  reviewers: string[];
  eventId: string;
}

export function reviewWait(r: ReviewFacts, now: number, s: RuleSettings): Verdict | null {
  const waited = now - r.requestedAt;
  const limit = p(s, 'maxHours') * HOUR_MS;
  if (waited <= limit) return null;
  const who = r.reviewers.slice(0, 3).join(', ');
  const name = r.provider === 'gitlab' ? `MR !${r.number}` : `PR #${r.number}`;
  return {
    severity: escalate(s.severity, waited / limit),
    title: `${name} waiting for review for ${fmtDuration(waited)}`,
    subject: name,
    evidence: cap([
      ev(`review requested ${iso(r.requestedAt)}${who ? ` from ${who}` : ''}`, r.eventId, Math.round(waited / HOUR_MS)),
      ...(r.title ? [ev(`title: ${r.title.slice(0, 120)}`, null)] : []),
      ...(r.branch ? [ev(`branch: ${r.branch}`, null)] : []),
      ev('limit (hours)', null, p(s, 'maxHours')),
    ]),
    suggestion: `${name}${r.title ? ` "${r.title.slice(0, 80)}"` : ''} has waited ${fmtDuration(waited)} for review${who ? ` from ${who}` : ''}: ping the reviewers or ask someone else; smaller PRs get reviewed sooner.`,
  };
}
