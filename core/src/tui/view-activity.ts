/** The activity view: where the work stands (project, branch, stage, tests, AI today) and what just happened. */
import { baseName, compact, duration, when } from './format.js';
import { field, list, type Section } from './layout.js';
import type { DashboardState, EventLine, Line, RenderOptions } from './model.js';
import { table } from './text.js';

function contextLines(s: DashboardState, o: RenderOptions): Line[] {
  const tz = o.tz ?? 'local';
  const { context: c, lastRun, ai } = s.activity;
  const lines: Line[] = [];
  lines.push(field('project', c?.project ?? '(none yet: no project has activity)'));
  if (c?.branch || c?.task) {
    const task = c.task && c.task !== c.branch ? ` · task ${c.task}` : '';
    const onTask = c.onTask ? ` · on it ${duration(c.onTask.forMs)} (active ${duration(c.onTask.activeMs)})` : '';
    lines.push(field('branch', `${c.branch ?? '(detached)'}${task}${onTask}`));
  }
  const st = c?.stage;
  if (st) {
    const sub = st.subStage ? ` › ${st.subStage}` : '';
    const conf = st.confidence !== null ? ` · confidence ${Math.round(st.confidence * 100)}%` : '';
    const since = st.since !== null ? ` · since ${when(st.since, s.now, tz)} (${duration(s.now - st.since)})` : '';
    lines.push(field('stage', `${st.name}${sub}${conf}${since}`));
  } else lines.push(field('stage', '(not known yet)', 'dim'));
  const t = c?.tests;
  if (t && t.state !== 'none') {
    const since = t.since !== null ? ` since ${when(t.since, s.now, tz)}` : '';
    const runs = t.state === 'red' && t.runs ? ` · ${t.runs} red run${t.runs === 1 ? '' : 's'} in a row` : '';
    const failing = t.failing.length ? ` · failing: ${t.failing.join(', ')}` : '';
    lines.push(field('tests', `${t.state}${since}${runs}${failing}`, t.state === 'red' ? 'error' : 'ok'));
  } else if (!lastRun) lines.push(field('tests', '(no runs recorded: run them with "devflow run -- <command>")', 'dim'));
  if (lastRun) {
    const counts = lastRun.passed !== null || lastRun.failed !== null ? ` · ${lastRun.passed ?? 0} passed, ${lastRun.failed ?? 0} failed` : '';
    const took = lastRun.durationMs !== null ? ` · ${duration(lastRun.durationMs)}` : '';
    lines.push(field('last run', `${lastRun.ok ? 'ok' : 'FAILED'} ${lastRun.command}${counts}${took} · ${when(lastRun.at, s.now, tz)}`, lastRun.ok ? undefined : 'error'));
  }
  if (ai) {
    lines.push(
      field(
        'AI today',
        ai.sessions
          ? `${ai.sessions} session${ai.sessions === 1 ? '' : 's'} · ${Math.round(ai.activeMinutes)} min active · ${ai.prompts} prompts · tokens ${compact(ai.tokensIn)} in, ${compact(ai.tokensOut)} out · ${ai.toolCalls} tool calls`
          : 'no sessions',
      ),
    );
  }
  if (c?.bottlenecks && c.bottlenecks.open) lines.push(field('blocked', `${c.bottlenecks.open} open: ${c.bottlenecks.top.join('; ')}`, 'warn'));
  if (c?.note) lines.push(field('note', c.note, 'dim'));
  for (const n of s.activity.notes) lines.push(field('missing', n, 'dim'));
  return lines;
}

/** Event lines as a table: time, type, (project), summary; the project column goes first when narrow. */
export function eventTable(events: readonly EventLine[], o: RenderOptions, now: number, withSeverity = false): Line[] {
  const tz = o.tz ?? 'local';
  const rows = events.map((e) => [when(e.ts, now, tz), ...(withSeverity ? [e.severity] : []), e.type, baseName(e.project), e.summary]);
  const columns = [{}, ...(withSeverity ? [{}] : []), { max: 36, min: 12 }, { max: 16, drop: 1 }, { flex: true, min: 8 }];
  const lines = table(rows, columns, o.width - 2);
  return lines.map((text, i) => {
    const sev = events[i]?.severity;
    return { text: `  ${text}`, style: sev === 'error' ? 'error' : sev === 'warn' ? 'warn' : undefined };
  });
}

export function activitySections(s: DashboardState, o: RenderOptions): Section[] {
  const recent = o.height === Infinity ? s.activity.recent.slice(0, 15) : s.activity.recent;
  return [
    { title: 'WHERE THE WORK STANDS', lines: contextLines(s, o) },
    list('RECENT ACTIVITY (newest first)', eventTable(recent, o, s.now), 'no activity recorded yet'),
  ];
}
