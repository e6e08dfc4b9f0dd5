// collect() and the renderers alone, with plain-object sources (no kernel): day bucketing across
// zones, a failing optional source, and a report with no data at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { collect, render, type MetricsApi, type ReportSources } from '../src/index.js';

const DAY = 86_400_000;
const zero = {
  project: null, since: 0, until: 0, activeMs: 0, commits: 0, linesAdded: 0, linesRemoved: 0, filesTouched: 0,
  tests: { runs: 0, passed: 0, failed: 0, passRate: null, failingStreak: 0, flaky: [], p50Ms: null },
  coverage: { latest: null, delta: null }, builds: { runs: 0, failed: 0, p50Ms: null }, churn: { linesChanged: 0, revertRate: null },
  ai: { assistedCommits: 0, assistedShare: null, sessionMs: 0, tokens: 0, tokensPerCommit: null, reworkShare: null },
};
const noDora = { deploymentFrequencyPerWeek: 0, deployments: 0, leadTimeMs: { p50: null, p90: null }, changeFailureRate: null, timeToRestoreMs: { p50: null }, sample: { changes: 0, failedDeployments: 0, restores: 0 } };
const emptyStore: ReportSources['store'] = { hotFiles: () => [], bottlenecks: () => ({ opened: [], resolved: [] }), notable: () => [] };
const opts = { period: 'week' as const, at: Date.UTC(2026, 0, 21, 12), project: null, timeZone: 'utc' as const, sprint: { lengthDays: 14, start: '2026-01-05' }, now: Date.UTC(2026, 0, 26), maxItems: 10, redStreakMinRuns: 3 };

test('series points are filed under the report day that contains them, whatever zone metrics buckets in', () => {
  const monday = Date.UTC(2026, 0, 19);
  const metrics: MetricsApi = {
    summary: () => zero,
    dora: () => noDora,
    // Buckets starting at 23:00 UTC (a UTC+1 midnight): each belongs to the day before, except the first.
    series: (q) => (q.metric === 'commits' ? [{ t: monday - 3_600_000, v: 1 }, { t: monday + DAY - 3_600_000, v: 2 }, { t: monday + 6 * DAY + 23 * 3_600_000, v: 4 }] : []),
  };
  const r = collect({ metrics, store: emptyStore, projects: ['/p'] }, opts);
  assert.deepEqual(r.days.map((d) => d.commits), [3, 0, 0, 0, 0, 0, 4]);
  assert.deepEqual(r.days.map((d) => d.passRate), [null, null, null, null, null, null, null]);
});

test('a failing optional source becomes a note; an empty report still renders every format', () => {
  const metrics: MetricsApi = { summary: () => zero, dora: () => noDora, series: () => [] };
  const stages = { current: () => null, durations: () => { throw new Error('table missing'); } };
  const r = collect({ metrics, stages, bottlenecks: { open: () => [] }, store: emptyStore, projects: ['/p'] }, opts);
  assert.equal(r.stages, null);
  assert.deepEqual(r.notes, ['stages: stage-analyzer failed (table missing)']);
  assert.deepEqual(r.bottlenecks, { opened: [], resolved: [], openNow: 0 });
  assert.deepEqual(r.busiestDays, []);
  assert.ok(r.comparison.deltas.every((d) => d.direction === 'flat' || d.direction === 'unknown'));
  const html = render(r, 'html').content;
  assert.equal(XMLValidator.validate(html.replace(/^<!DOCTYPE html>\n/, '')), true);
  assert.match(html, /data-absent="stages">stages: stage-analyzer failed \(table missing\)</);
  assert.equal((html.match(/>no data</g) ?? []).length, 1); // the pass-rate line; zero bars are data
  assert.match(render(r, 'markdown').content, /Projects: all projects \(\/p\)\n/);
  assert.deepEqual(JSON.parse(render(r, 'json').content).notes, r.notes);
});
