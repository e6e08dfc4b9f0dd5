import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisCount, axisDuration, baseName, bytes, count, dateTime, duration, label, percent, relative, shortPath, toDate } from '../web/lib/format.js';

test('duration', () => {
  assert.equal(duration(0), '0s');
  assert.equal(duration(44_600), '45s');
  assert.equal(duration(750_000), '12m 30s');
  assert.equal(duration(3_900_000), '1h 05m');
  assert.equal(duration(50 * 3_600_000), '2d 2h');
  for (const bad of [null, undefined, NaN, -1, Infinity]) assert.equal(duration(bad as number), '—');
});

test('percent, count, bytes', () => {
  assert.equal(percent(0.834), '83%');
  assert.equal(percent(0.834, 1), '83.4%');
  assert.equal(percent(null), '—');
  assert.equal(count(12345), '12,345');
  assert.equal(count(12345, true), '12.3k');
  assert.equal(count(2_000_000, true), '2M');
  assert.equal(count(undefined), '—');
  assert.equal(bytes(512), '512 B');
  assert.equal(bytes(8294), '8.1 KB');
  assert.equal(bytes(3 * 1024 * 1024), '3.0 MB');
  assert.equal(bytes(-1), '—');
});

test('dates: local formatting, same-day short form, relative times', () => {
  const d = new Date(2026, 2, 2, 9, 5, 7).getTime();
  assert.equal(dateTime(d), '2026-03-02 09:05');
  assert.equal(dateTime(d, d + 3_600_000), '09:05:07');
  assert.equal(dateTime(new Date(d).toISOString(), d), '09:05:07');
  assert.equal(dateTime('not a date'), '—');
  assert.equal(toDate(null), null);
  assert.equal(relative(d, d + 10_000), 'just now');
  assert.equal(relative(d, d + 5 * 60_000), '5 min ago');
  assert.equal(relative(d, d + 3 * 3_600_000), '3 h ago');
  assert.equal(relative(d, d + 3 * 86_400_000), '3 d ago');
  assert.equal(relative(d + 5 * 60_000, d), 'in 5 min');
});

test('paths and labels', () => {
  assert.equal(shortPath('/a/b'), '/a/b');
  const s = shortPath('/home/someone/projects/very-long-project-name/src/components/Button.tsx', 30);
  assert.ok(s.startsWith('…/') && s.endsWith('Button.tsx') && s.length <= 30, s);
  assert.equal(baseName('/home/me/app/'), 'app');
  assert.equal(baseName(null), '—');
  assert.equal(label('screen-design'), 'Screen design');
  assert.equal(label(null), '—');
});

test('axis formats', () => {
  assert.equal(axisDuration(0), '0');
  assert.equal(axisDuration(30_000), '30s');
  assert.equal(axisDuration(12 * 60_000), '12m');
  assert.equal(axisDuration(1.5 * 3_600_000), '1.5h');
  assert.equal(axisDuration(20 * 3_600_000), '20h');
  assert.equal(axisCount(2), '2');
  assert.equal(axisCount(0.5), '0.5');
});
