// Git events in the timeline: commits with their narrative, AI attribution, checkouts, branches,
// merges and rewrites.
import { type FoldCore, type Ev, parse, strings, type Task } from './fold-core.js';
import { branchName, clip, num, obj, str } from './keys.js';
import { commitNarrative, overlapShare } from './narrative.js';
import type { EntryRow } from './store.js';

export function commit(c: FoldCore, ev: Ev): void {
  const { d, project, ts } = ev;
  const hash = str(d.hash, 64);
  if (!hash || c.store.hasRef('commit', hash, project)) return;
  const branch = branchName(d.branch);
  const issueKeys = strings(d.issueKeys, 5, 20).map((k) => k.toUpperCase()).filter((k) => c.o.keys.isKey(k));
  if (branch) c.store.checkout(project, ts, branch);
  let t: Task | null;
  if (branch && !c.o.defaultBranches.has(branch)) t = { task: c.o.keys.taskOf(branch), branch };
  else if (issueKeys[0]) t = { task: issueKeys[0], branch: null };
  else t = c.taskAt(project, ts, branch);
  if (!t) return c.store.unattributed(project, ts);
  const stats = obj(d.stats);
  const before = c.store.task(project, t.task);
  const newest = before?.last_commit_ts == null || ts >= before.last_commit_ts;
  const green = before?.last_run_ok === 1 && before.last_run_ts !== null && before.last_run_ts <= ts && (before.last_edit_ts ?? 0) <= before.last_run_ts;
  c.enter(ev, t, ts, ts, true);
  const facts = {
    hash,
    subject: clip(str(d.subject, 1000) ?? '', 120),
    branch,
    issueKeys,
    files: num(stats.files),
    added: num(stats.added),
    removed: num(stats.removed),
    merge: d.merge === true || (Array.isArray(d.parents) && d.parents.length > 1),
    imported: d.imported === true,
    /** The task's active time when the commit landed: the narrative's AI share divides by its growth. */
    activeAt: c.store.task(project, t.task)?.active_ms ?? 0,
  };
  // The narrative reads only earlier commits, runs and sessions: written once, with the entry.
  const n = narrative(c, { project, task: t.task, ts, ref: hash, facts });
  c.store.insertEntry({ project, task: t.task, eventId: ev.e.id, ts, endTs: ts, kind: 'commit', ref: hash, tag: branch, ok: null, summary: n.summary, facts: n.facts });
  // A commit older than one already filed (history imports come newest first) changes the next one's narrative.
  const next = newest ? undefined : c.store.nextCommit(project, t.task, ts);
  if (next) narrate(c, next);
  if (newest) c.store.setTask(project, t.task, { last_commit: hash, last_commit_ts: ts, ...(green ? { last_green_commit: hash, last_green_ts: ts } : {}) });
}

/** A commit's narrative and facts from the task's entries since its previous commit (by time). */
function narrative(c: FoldCore, e: { project: string; task: string; ts: number; ref: string | null; facts: Record<string, unknown> }): { summary: string; facts: Record<string, unknown> } {
  const prev = c.store.prevCommit(e.project, e.task, e.ts);
  const from = prev?.ts ?? -1;
  const redRuns = c.store.redRuns(e.project, e.task, from, e.ts);
  const sessions: Record<string, number> = {};
  let sessionMs = 0;
  let count = 0;
  for (const s of c.store.sessionsBetween(e.project, e.task, from, e.ts)) {
    const tool = s.tag ?? 'ai';
    sessions[tool] = (sessions[tool] ?? 0) + 1;
    sessionMs += Math.max(0, num(parse(s.facts).activeMs) ?? 0);
    count++;
  }
  const activeAt = num(e.facts.activeAt) ?? 0;
  const segment = activeAt - (prev ? (num(parse(prev.facts).activeAt) ?? 0) : 0);
  const confidence = c.store.attributionOf(e.ref ?? '', e.project);
  const aiShare = confidence ?? overlapShare(sessionMs, segment, count);
  const aiSource = confidence !== null ? 'attribution' : aiShare !== null ? 'session-overlap' : null;
  const keys = Array.isArray(e.facts.issueKeys) ? (e.facts.issueKeys as string[]) : [];
  const issue = keys[0] ?? (c.o.keys.isKey(e.task) ? e.task : null);
  const text = commitNarrative({ hash: e.ref ?? '', aiShare, aiSource, redRuns, sessions, issue });
  return { summary: text, facts: { ...e.facts, aiShare, aiSource, redRuns, sessions, narrative: text } };
}

/** Rewrite a stored commit entry's narrative (its attribution arrived, or an older commit was filed). */
export function narrate(c: FoldCore, entry: EntryRow): void {
  if (entry.kind !== 'commit') return;
  const n = narrative(c, { ...entry, facts: parse(entry.facts) });
  c.store.updateEntry(entry.id, entry.ts, entry.end_ts, n.summary, n.facts);
}

export function attributed(c: FoldCore, ev: Ev): void {
  const hash = str(ev.d.hash, 64);
  const confidence = num(ev.d.confidence);
  if (!hash || confidence === null) return;
  c.store.attribution(hash, ev.project, Math.min(1, Math.max(0, confidence)), strings(ev.d.tools, 10, 40));
  const entry = c.store.byRef('commit', hash, ev.project || null);
  if (entry) narrate(c, entry);
}

export function switched(c: FoldCore, ev: Ev): void {
  const to = branchName(ev.d.to);
  const from = branchName(ev.d.from);
  if (from) c.store.checkoutBefore(ev.project, ev.ts, from);
  c.store.checkout(ev.project, ev.ts, to ?? '');
  c.store.projectSeen(ev.project, ev.ts);
  if (!to) return;
  const summary = `checked out ${clip(to, 120)}${from ? ` (from ${clip(from, 120)})` : ''}`;
  c.add(ev, { task: c.o.keys.taskOf(to), branch: to }, { ts: ev.ts, endTs: ev.ts, kind: 'checkout', ref: null, tag: from, ok: null, summary, facts: { from, to } }, true);
}

export function branchEvent(c: FoldCore, ev: Ev): void {
  const branch = branchName(ev.d.branch);
  if (!branch) return;
  const created = ev.e.type.endsWith('created');
  const merged = ev.d.merged === true ? ' (merged)' : ev.d.merged === false ? ' (not merged)' : '';
  const summary = created ? `branch ${clip(branch, 120)} created` : `branch ${clip(branch, 120)} deleted${merged}`;
  c.add(ev, { task: c.o.keys.taskOf(branch), branch }, { ts: ev.ts, endTs: ev.ts, kind: 'branch', ref: null, tag: branch, ok: null, summary, facts: { created } }, false);
}

export function merge(c: FoldCore, ev: Ev): void {
  const merged = branchName(ev.d.mergedBranch);
  const mergedHash = str(ev.d.mergedHash, 64);
  const byHash = !merged && mergedHash ? c.store.byRef('commit', mergedHash, ev.project) : undefined;
  const t: Task | null = merged ? { task: c.o.keys.taskOf(merged), branch: merged } : byHash ? { task: byHash.task, branch: null } : null;
  if (!t) return c.store.unattributed(ev.project, ev.ts);
  const into = branchName(ev.d.into);
  const kind = str(ev.d.kind, 20) ?? 'merge';
  const pr = num(ev.d.pr);
  const summary = `merged into ${clip(into ?? '?', 80)} (${kind}${pr !== null ? `, PR #${pr}` : ''})`;
  c.add(ev, t, { ts: ev.ts, endTs: ev.ts, kind: 'merge', ref: str(ev.d.hash, 64), tag: into, ok: null, summary, facts: { into, kind, pr, hash: str(ev.d.hash, 64) } }, false);
  c.store.merged(ev.project, t.task, into, ev.ts);
  c.store.setTask(ev.project, t.task, { merged_ts: ev.ts });
}

export function rewritten(c: FoldCore, ev: Ev): void {
  const branch = branchName(ev.d.branch);
  if (!branch) return;
  const kind = str(ev.d.kind, 20) ?? 'other';
  const summary = `history rewritten (${kind}): ${num(ev.d.dropped) ?? 0} commits dropped, ${num(ev.d.added) ?? 0} added`;
  c.add(ev, { task: c.o.keys.taskOf(branch), branch }, { ts: ev.ts, endTs: ev.ts, kind: 'rewrite', ref: null, tag: kind, ok: null, summary, facts: { kind } }, true);
}

