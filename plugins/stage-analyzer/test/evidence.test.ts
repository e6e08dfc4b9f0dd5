// Unit tests of the fold's helpers: the evidence candidates (keeping only the non-dominated signal rows never changes
// the top 5 of a stage, at any later clock and window) and idTime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idTime } from '../src/fold.js';
import { candidates, decodeCandidates, encodeCandidates, topEvidence, type SignalRow } from '../src/evidence.js';

test('encoded candidates read back; malformed ones read as none', () => {
  const row: SignalRow = { id: 3, ts: 5, stage: 'coding', sub_stage: 'unit-testing', rule: 'unit-tests', weight: 1.5, event_id: 'e', event_type: 't', detail: 'a.test.ts' };
  assert.deepEqual(decodeCandidates('coding', encodeCandidates([row])), [row]);
  assert.deepEqual([decodeCandidates('coding', '{'), decodeCandidates('coding', '{}'), decodeCandidates('coding', null)], [[], [], []]);
});

test('evidence candidates give the same top 5 as all signals, at every later clock', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const weights = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 1 / 3, 2 / 3];
  for (let round = 0; round < 40; round++) {
    const rows: SignalRow[] = [];
    let ts = 1_000_000;
    for (let i = 0; i < 300; i++) {
      ts += Math.floor(rnd() * 120_000) - (rnd() < 0.1 ? 600_000 : 0); // some out of order, some equal times
      if (rnd() < 0.2) ts = rows.at(-1)?.ts ?? ts;
      const weight = weights[Math.floor(rnd() * weights.length)] as number;
      rows.push({ id: i + 1, ts, stage: 's', sub_stage: '', rule: `r${i}`, weight, event_id: `e${i}`, event_type: 't', detail: '' });
    }
    const maxTs = Math.max(...rows.map((r) => r.ts));
    for (const [window, halfLife] of [[600_000, 3_600_000], [3_600_000, 600_000], [14_400_000, 3_600_000], [14_400_000, 60_000], [604_800_000, 60_000]] as const) {
      const kept = candidates(rows, halfLife, window);
      assert.ok(kept.length < rows.length / 3, `few candidates: ${kept.length}`);
      for (const clock of [maxTs, maxTs + 60_000, maxTs + 2_000_000, maxTs + 9_000_000]) {
        const inWin = (rs: readonly SignalRow[]) => rs.filter((r) => r.ts >= clock - window && r.ts <= clock);
        assert.deepEqual(topEvidence(inWin(kept), clock, halfLife), topEvidence(inWin(rows), clock, halfLife));
      }
    }
  }
});

test('idTime reads UUIDv7 times and nothing else', () => {
  assert.equal(idTime('01a203a3-6fba-796d-8075-6ead8ee2dd4d'), 0x01a203a36fba);
  assert.equal(idTime('01A203A3-6FBA-796D-8075-6EAD8EE2DD4D'), 0x01a203a36fba);
  for (const id of ['01a203a3-6fba-496d-8075-6ead8ee2dd4d', '01a203g3-6fba-796d-8075-6ead8ee2dd4d', '01a203a3-6fbz-796d-8075', 'x1', '', '01a203a36fba-796d'])
    assert.equal(idTime(id), null, id);
});
