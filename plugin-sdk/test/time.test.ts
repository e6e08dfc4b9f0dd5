import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSince } from '../src/index.js';

test('parseSince: durations, ISO dates and times, epoch ms; anything else is undefined', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  assert.equal(parseSince('24h', now), now - 86_400_000);
  assert.equal(parseSince('30m', now), now - 1_800_000);
  assert.equal(parseSince('45s', now), now - 45_000);
  assert.equal(parseSince('2w', now), now - 14 * 86_400_000);
  assert.equal(parseSince('1.5d', now), now - 1.5 * 86_400_000);
  assert.equal(parseSince(' 7D ', now), now - 7 * 86_400_000);
  assert.equal(parseSince('2026-11-21T00:00:00Z', now), Date.parse('2026-11-21T00:00:00Z'));
  assert.equal(parseSince('2026-01-01', now), Date.parse('2026-01-01'));
  assert.equal(parseSince('1795344740763', now), 1795344740763);
  for (const bad of ['yesterday-ish', 'soon', '1', '12', '7 days', '', '2026-13-45']) assert.equal(parseSince(bad, now), undefined, bad);
});
