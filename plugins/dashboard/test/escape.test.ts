import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, join, trusted } from '../web/lib/escape.js';
import { contextView, stageView } from '../web/pages/overview.js';
import { tasksView, timelineView } from '../web/pages/tasks.js';
import { pluginsView } from '../web/pages/plugins.js';
import { listView } from '../web/pages/reports.js';

test('escapeHtml escapes markup and quotes, renders null/undefined as nothing', () => {
  assert.equal(escapeHtml(`<img src=x onerror="alert('1')">&\``), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;');
  assert.equal(escapeHtml(null), '');
  assert.equal(escapeHtml(undefined), '');
  assert.equal(escapeHtml(42), '42');
});

test('html escapes interpolations, keeps nested html and arrays, drops null/false', () => {
  const name = '<b>x</b>';
  const inner = html`<i>${name}</i>`;
  assert.equal(html`<p title="${'"q"'}">${inner}${[html`<br>`, '<&>']}${null}${false}${undefined}</p>`.__html, '<p title="&quot;q&quot;"><i>&lt;b&gt;x&lt;/b&gt;</i><br>&lt;&amp;&gt;</p>');
  assert.equal(join(['<a>', trusted('<hr>')], ', ').__html, '&lt;a&gt;, <hr>');
  // An object that is not Html is text, not markup.
  assert.equal(html`${{ toString: () => '<script>' }}`.__html, '&lt;script&gt;');
});

const EVIL = `feature/<script>alert(1)</script>`;
const PATH = `/home/me/"><img src=x onerror=alert(2)>`;

test('page views escape branch names, paths, titles and errors from the data', () => {
  const outputs = [
    contextView({ project: PATH, branch: EVIL, task: EVIL, stage: { name: '<x>', subStage: null, since: null, confidence: 1 }, hotFiles: [{ path: EVIL, edits: 1 }], bottlenecks: { open: 1, top: [EVIL] }, note: EVIL }, 0),
    stageView({ project: PATH, stage: 'coding', subStage: '<y>', since: null, confidence: 0.5, evidence: [{ rule: EVIL, detail: EVIL, eventType: EVIL }], note: EVIL }, 0),
    tasksView({ tasks: [{ project: PATH, task: EVIL, branch: EVIL, issue: null, firstTs: 0, lastTs: 0, activeMs: 0, edits: 0, commits: 0, sessions: 0, testRuns: 0, redRuns: 0, tests: '<t1>', mergedAt: null, deployedAt: null }] }, EVIL, 0),
    timelineView({ project: PATH, task: EVIL, branch: EVIL, stats: null, entries: [{ ts: 0, kind: '<k1>', summary: EVIL }] }, 0),
    pluginsView({ plugins: [{ id: 'p<x1>', entry: PATH, version: '<v1>', state: '<s1>', reason: EVIL, lastError: EVIL, tools: [] }] }),
    listView({ reports: [{ at: '', period: '<p1>', format: '<f1>', project: PATH, from: '', to: '', file: PATH, bytes: 1, schedule: null, exists: true }] }, 0),
  ];
  for (const o of outputs) {
    assert.doesNotMatch(o.__html, /<script|<img|<x>|<x1>|<y>|<t1>|<k1>|<s1>|<v1>|<p1>|<f1>/, o.__html);
    assert.match(o.__html, /&lt;/);
  }
});
