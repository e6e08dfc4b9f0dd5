// Scenario fixtures replayed through the real ingest path: the life cycle of a project, an AI-heavy
// session, and a noisy project that shows the hysteresis. Exact stages, times and evidence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '@devflow/plugin-sdk';
import { renderCurrent, renderHistory } from '../src/index.js';
import { call, fixture, kernel, path, play, stageAnalyzer, type CurrentOut, type HistoryOut } from './helpers.js';

const H = 3_600_000;
const hm = (h: number, m: number) => h * H + m * 60_000;

/** Every evidence item points at a stored event of its type (and, for file events, the path it names). */
function assertEvidence(evidence: { rule: string; eventType: string; eventId?: string; detail: string }[], stored: readonly (StoredEvent | undefined)[], rules: string[]) {
  assert.ok(evidence.length > 0 && evidence.length <= 5, `1-5 items: ${evidence.length}`);
  for (const ev of evidence) {
    const e = stored.find((s) => s?.id === ev.eventId);
    assert.ok(e, `evidence ${ev.rule} names a stored event`);
    assert.equal(e.type, ev.eventType);
    assert.ok(rules.includes(ev.rule), `rule ${ev.rule} is one of ${rules.join(', ')}`);
    if (e.type === 'file-monitor.file.changed') assert.equal(ev.detail, (e.data as { path: string }).path);
  }
}

test('a project goes PRD → ERD → backend → frontend → e2e testing → deployment → operation', async (t) => {
  const tk = await kernel({ t });
  const fx = fixture('lifecycle');
  const stored = await play(tk, fx);
  const h = await call<HistoryOut>(tk, 'stage_history', { project: '/work/demo/shop', limit: 50 });
  assert.deepEqual(path(h), [
    ['2025-03-03T09:00:00.000Z', null, 'prd', null],
    ['2025-03-03T13:10:00.000Z', 'prd', 'erd', null],
    ['2025-03-04T09:00:00.000Z', 'erd', 'backend', null],
    ['2025-03-04T13:30:00.000Z', 'backend', 'frontend', null],
    ['2025-03-05T09:00:00.000Z', 'frontend', 'coding', 'e2e-testing'],
    ['2025-03-05T14:00:00.000Z', 'coding', 'deployment', null],
    ['2025-03-05T17:40:00.000Z', 'deployment', 'operation', null],
  ]);
  assert.equal(h.total, 7);
  assert.equal(h.truncated, false);
  const [operation, deployment, e2e, frontend, backend, erd, prd] = h.transitions as [HistoryOut['transitions'][number], ...HistoryOut['transitions']];
  assertEvidence(prd!.evidence, stored, ['prd-docs']);
  assertEvidence(erd!.evidence, stored, ['erd-schema']);
  assertEvidence(backend!.evidence, stored, ['backend-code']);
  assertEvidence(frontend!.evidence, stored, ['frontend-code']);
  assertEvidence(e2e!.evidence, stored, ['e2e-tests', 'e2e-test-runs']);
  assertEvidence(deployment!.evidence, stored, ['deploy-run', 'release-tag', 'deploy-config']);
  assert.deepEqual(deployment!.evidence.map((e) => e.rule).sort(), ['deploy-config', 'deploy-run', 'deploy-run', 'release-tag']);
  assertEvidence(operation.evidence, stored, ['quiet-after-deploy', 'system-alerts']);
  assert.equal(operation.evidence[0]?.rule, 'quiet-after-deploy', 'the strongest signal comes first');
  // Durations: each closed transition lasted until the next one; the open one has none yet.
  assert.equal(prd!.durationMs, Date.parse(erd!.at) - Date.parse(prd!.at));
  assert.equal(operation.durationMs, null);
  assert.equal(operation.endedAt, null);
  assert.deepEqual(h.timePerStage.map((d) => [d.stage, d.ms]), [
    ['erd', hm(19, 50)], // 13:10 → 09:00 next day
    ['frontend', hm(19, 30)], // 13:30 → 09:00
    ['coding', hm(5, 0)], // 09:00 → 14:00
    ['backend', hm(4, 30)], // 09:00 → 13:30
    ['prd', hm(4, 10)], // 09:00 → 13:10
    ['deployment', hm(3, 40)], // 14:00 → 17:40
    ['operation', hm(0, 35)], // 17:40 → the latest event, 18:15
  ]);
  assert.ok(Math.abs(h.timePerStage.reduce((n, d) => n + d.share, 0) - 1) < 0.01);

  const now = await call<CurrentOut>(tk, 'stage_current', { project: 'shop' });
  assert.equal(now.project, '/work/demo/shop', 'a directory name finds the project');
  assert.deepEqual([now.stage, now.subStage, now.since, now.lastEventAt], ['operation', null, '2025-03-05T17:40:00.000Z', '2025-03-05T18:15:00.000Z']);
  assert.ok(now.confidence! > 0.9 && now.confidence! <= 1, String(now.confidence));
  assertEvidence(now.evidence, stored, ['quiet-after-deploy', 'system-alerts']);
  assert.deepEqual(now.leading.map((l) => l.stage), ['operation', 'deployment']);

  // The compact text the model reads.
  const text = renderHistory(h).split('\n');
  assert.equal(text[0], '/work/demo/shop: 7 transitions');
  assert.equal(text[1], '2025-03-05T17:40Z deployment → operation (92%, current) — quiet-after-deploy: cpu 93');
  assert.equal(text[3], '2025-03-05T09:00Z frontend → coding/e2e-testing (100%, 5h0m) — e2e-tests: e2e/cart.spec.ts');
  assert.equal(text.at(-1), 'time per stage: erd 19h50m (35%), frontend 19h30m (34%), coding 5h0m (9%), backend 4h30m (8%), prd 4h10m (7%), deployment 3h40m (6%), operation 35m (1%)');
  const currentText = renderCurrent(now).split('\n');
  assert.deepEqual(currentText.slice(0, 3), ['/work/demo/shop: operation since 2025-03-05T17:40Z (confidence 92%; last event 2025-03-05T18:15Z)', 'leading now: operation 92%, deployment 8%', 'evidence:']);
  assert.match(currentText[3]!, /^- quiet-after-deploy: cpu 93 \(system-monitor\.threshold\.exceeded [0-9a-f-]{36}\)$/);

  // The derived events mirror the transitions, dated when each stage began.
  const changed = tk.events.filter((e) => e.type === 'stage-analyzer.stage.changed');
  assert.deepEqual(changed.map((e) => [new Date(e.ts).toISOString(), e.data.from, e.data.to, e.data.subStage, e.project]), path(h).map((p) => [...p, '/work/demo/shop']));
  assert.deepEqual(changed.at(-1)?.data, { project: '/work/demo/shop', from: 'deployment', to: 'operation', subStage: null, confidence: operation.confidence, evidence: operation.evidence, at: Date.parse(operation.at) });

  // The API other plugins use.
  const api = tk.use(stageAnalyzer);
  assert.deepEqual(api.current('/work/demo/shop')?.stage, 'operation');
  const day2 = api.durations('/work/demo/shop', Date.parse('2025-03-04T00:00:00Z'), Date.parse('2025-03-05T00:00:00Z'));
  assert.deepEqual(day2, [
    { stage: 'erd', ms: 9 * H },
    { stage: 'frontend', ms: 10.5 * H },
    { stage: 'backend', ms: 4.5 * H },
  ].sort((a, b) => b.ms - a.ms));
});

test('an AI-heavy session is ai-collaboration; prompt work afterwards is coding / prompt-design', async (t) => {
  const tk = await kernel({ t });
  const fx = fixture('ai');
  const cut = fx.findIndex((e) => e.type === 'ai-monitor.session.ended');
  const first = await play(tk, fx.slice(0, cut + 1));
  const during = await call<CurrentOut>(tk, 'stage_current', {});
  assert.equal(during.project, '/work/demo/agent', 'no project: the most recently active one');
  assert.deepEqual([during.stage, during.subStage, during.since], ['ai-collaboration', null, '2025-03-10T09:00:00.000Z']);
  assertEvidence(during.evidence, first, ['ai-session']);
  assert.ok(during.evidence.some((e) => e.eventType === 'ai-monitor.session.ended'), 'the ending session is the freshest evidence');
  assert.deepEqual(during.leading.map((l) => l.stage), ['ai-collaboration', 'coding']);

  await play(tk, fx.slice(cut + 1));
  const h = await call<HistoryOut>(tk, 'stage_history', {});
  assert.deepEqual(path(h), [
    ['2025-03-10T09:00:00.000Z', null, 'ai-collaboration', null],
    ['2025-03-10T12:15:00.000Z', 'ai-collaboration', 'coding', 'prompt-design'],
  ]);
  const now = await call<CurrentOut>(tk, 'stage_current', { project: '/work/demo/agent' });
  assert.deepEqual([now.stage, now.subStage], ['coding', 'prompt-design']);
  assert.ok(now.evidence.every((e) => e.rule === 'prompt-files' && /^prompts\//.test(e.detail)));
});

test('the AI scaffold and prompt signals count as coding sub-stages while the session leads', async (t) => {
  const tk = await kernel({ t, config: { minDwellMinutes: 0 } });
  const fx = fixture('ai').filter((e) => Date.parse(e.ts as string) <= Date.parse('2025-03-10T09:45:00Z'));
  await play(tk, fx);
  const now = await call<CurrentOut>(tk, 'stage_current', {});
  assert.equal(now.stage, 'ai-collaboration');
  const coding = now.leading.find((l) => l.stage === 'coding');
  assert.ok(coding && coding.share > 0.2, JSON.stringify(now.leading));
});

test('mixed signals do not flap: the stage holds until a leader lasts minDwellMinutes', async (t) => {
  const fx = fixture('noisy');
  const steady = await kernel({ t });
  await play(steady, fx);
  const h = await call<HistoryOut>(steady, 'stage_history', { project: '/work/demo/noisy' });
  assert.deepEqual(path(h), [['2025-03-12T09:00:00.000Z', null, 'backend', null]]);
  const now = await call<CurrentOut>(steady, 'stage_current', { project: '/work/demo/noisy' });
  assert.equal(now.stage, 'backend');
  assert.equal(now.leading[0]?.stage, 'frontend', 'frontend leads right now, but not for long enough');

  const jumpy = await kernel({ t, config: { minDwellMinutes: 0 } });
  await play(jumpy, fx);
  const flapping = await call<HistoryOut>(jumpy, 'stage_history', { project: '/work/demo/noisy' });
  assert.deepEqual(path(flapping).map((p) => p[2]), ['backend', 'frontend', 'backend', 'frontend'], 'without the dwell the stage follows every lead');
});
