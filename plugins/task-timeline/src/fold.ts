// The fold: each relevant event becomes (or updates) one timeline entry of the task that was
// checked out at the event's time, plus per-task and per-project state for devflow_context.
// Deterministic: it reads only the events and task-timeline's tables, never the clock.
import type { StoredEvent } from '@devflow/plugin-sdk';
import { FoldCore, type Ev, SEVERITY } from './fold-core.js';
import { attributed, branchEvent, commit, merge, rewritten, switched } from './fold-git.js';
import { bulk, edit, run, session } from './fold-work.js';
import { branchName, clip, eventTime, num, obj, str, time } from './keys.js';

export type { FoldOptions } from './fold-core.js';

/**
 * Folds a batch of stored events into the timeline tables; bad data is skipped, never thrown. The
 * store holds the rows the batch touches in memory and writes them back once at the end.
 */
export class TimelineFold extends FoldCore {
  apply(events: readonly StoredEvent[]): void {
    for (const e of events) {
      try {
        this.handle(e);
      } catch (err) {
        this.o.onError?.(e, err);
      }
    }
    this.store.flush();
  }

  private handle(e: StoredEvent): void {
    const d = obj(e.data);
    const ev: Ev = { e, d, project: e.project ?? str(d.project, 4096) ?? '', ts: eventTime(e) };
    switch (e.type) {
      case 'file-monitor.file.changed':
        return edit(this, ev, str(d.path, 4096));
      case 'file-monitor.file.renamed':
        return edit(this, ev, str(d.to, 4096));
      case 'file-monitor.files.bulk-changed':
        return bulk(this, ev);
      case 'git-monitor.commit.created':
        return commit(this, ev);
      case 'git-monitor.branch.switched':
        return switched(this, ev);
      case 'git-monitor.branch.created':
      case 'git-monitor.branch.deleted':
        return branchEvent(this, ev);
      case 'git-monitor.merge.detected':
        return merge(this, ev);
      case 'git-monitor.history.rewritten':
        return rewritten(this, ev);
      case 'ai-monitor.session.updated':
      case 'ai-monitor.session.ended':
        return session(this, ev);
      case 'ai-monitor.commit.attributed':
        return attributed(this, ev);
      case 'test-monitor.run.finished':
      case 'test-monitor.build.finished':
      case 'test-monitor.deploy.finished':
        return run(this, ev);
      case 'stage-analyzer.stage.changed':
        return this.stage(ev);
      case 'bottleneck-detector.bottleneck.opened':
      case 'bottleneck-detector.bottleneck.resolved':
        return this.bottleneck(ev);
      default:
        if (/^(github|gitlab|jira)\./.test(e.type)) this.integration(ev);
    }
  }

  private stage(ev: Ev): void {
    const to = str(ev.d.to, 60);
    if (!to) return;
    const conf = num(ev.d.confidence);
    this.store.projectRow(ev.project, ev.ts);
    this.store.stage(ev.project, to, str(ev.d.subStage, 60), time(ev.d.at) ?? ev.ts, conf === null ? null : Math.min(1, Math.max(0, conf)));
  }

  private bottleneck(ev: Ev): void {
    const key = str(ev.d.key, 300);
    if (!key) return;
    this.store.projectRow(ev.project, ev.ts);
    if (ev.e.type.endsWith('resolved')) return this.store.bottleneckResolved(ev.project, key);
    const sev = SEVERITY[String(ev.d.severity)] ?? 1;
    this.store.bottleneckOpened(ev.project, key, clip(str(ev.d.title, 1000) ?? key, 200), sev, time(ev.d.openedAt) ?? ev.ts);
  }

  private integration(ev: Ev): void {
    const { d } = ev;
    const head = obj(d.head);
    const branch = branchName(d.branch ?? d.headBranch ?? d.head_branch ?? d.sourceBranch ?? d.source_branch ?? d.headRef ?? head.ref);
    const title = str(d.title, 1000) ?? str(d.summary, 1000);
    const candidates = [d.issueKey, d.key, ...(Array.isArray(d.issueKeys) ? d.issueKeys : [])].filter((k): k is string => typeof k === 'string').map((k) => k.toUpperCase());
    const issue = candidates.find((k) => this.o.keys.isKey(k)) ?? this.o.keys.find(title);
    const task = branch ? this.o.keys.taskOf(branch) : issue;
    if (!task) return;
    const project = ev.project || (this.o.keys.isKey(task) ? (this.store.projectOfTask(task) ?? '') : '');
    const source = ev.e.type.slice(0, ev.e.type.indexOf('.'));
    const what = ev.e.type.slice(source.length + 1).replace(/\./g, ' ');
    const number = num(d.number ?? d.iid);
    const state = str(d.state ?? d.status ?? d.conclusion, 40);
    const summary = `${source} ${clip(what, 40)}${number !== null ? ` #${number}` : ''}${title ? `: ${clip(title, 80)}` : ''}${state ? ` (${state})` : ''}`;
    const facts = { type: ev.e.type, number, state, url: str(d.url ?? d.html_url ?? d.web_url, 300) };
    this.add({ ...ev, project }, { task, branch }, { ts: ev.ts, endTs: ev.ts, kind: source, ref: null, tag: ev.e.type, ok: null, summary, facts }, false);
  }
}
