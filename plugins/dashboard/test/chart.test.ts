import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChart, clean, labelStep, lineChart, linePath, niceMax, scalePoints } from '../web/lib/chart.js';

test('niceMax rounds up to 1, 2, 5 × 10^n', () => {
  assert.equal(niceMax(0), 1);
  assert.equal(niceMax(-3), 1);
  assert.equal(niceMax(NaN), 1);
  assert.equal(niceMax(1), 1);
  assert.equal(niceMax(3), 5);
  assert.equal(niceMax(7), 10);
  assert.equal(niceMax(12), 20);
  assert.equal(niceMax(66_000), 100_000);
});

test('scalePoints and linePath: evenly spread, y grows down, bad values as 0', () => {
  const pts = scalePoints([0, 5, 10], 100, 50, 10);
  assert.deepEqual(pts, [{ x: 0, y: 50 }, { x: 50, y: 25 }, { x: 100, y: 0 }]);
  assert.equal(linePath(pts), 'M0,50 L50,25 L100,0');
  assert.deepEqual(scalePoints([7], 100, 50, 10), [{ x: 50, y: 15 }]);
  assert.deepEqual(scalePoints([NaN, -4], 10, 10, 10), [{ x: 0, y: 10 }, { x: 10, y: 10 }]);
  assert.equal(linePath([]), '');
});

test('clean turns odd values into 0', () => {
  assert.deepEqual(clean([{ label: 'a', value: NaN }, { label: 'b', value: -1 }, { label: 'c', value: 2 }]).map((d) => d.value), [0, 0, 2]);
});

test('bar chart: one bar per datum with an escaped tooltip, heights proportional', () => {
  const svg = barChart([{ label: 'Mon', value: 2 }, { label: '<Tue>', value: 4 }], { title: 'Commits & more', width: 240, height: 140, format: (v) => `${v}c` });
  assert.equal(svg.match(/<rect /g)?.length, 2);
  assert.match(svg, /aria-label="Commits &amp; more"/);
  assert.match(svg, /<title>&lt;Tue&gt;: 4c<\/title>/);
  const heights = [...svg.matchAll(/height="([\d.]+)"><title>/g)].map((m) => Number(m[1]));
  assert.equal(heights.length, 2);
  assert.ok(Math.abs((heights[1] as number) - 2 * (heights[0] as number)) < 0.2, String(heights));
  assert.doesNotMatch(svg, /NaN|undefined/);
});

test('line chart: a path through a dot per point; an empty series draws no path', () => {
  const svg = lineChart([{ label: 'a', value: 1 }, { label: 'b', value: 3 }, { label: 'c', value: 0 }], { title: 't' });
  assert.equal(svg.match(/<circle /g)?.length, 3);
  assert.match(svg, /<path class="line" d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+"/);
  const empty = lineChart([], { title: 'none' });
  assert.doesNotMatch(empty, /<path|NaN/);
});

test('labelStep thins labels so they do not overlap', () => {
  assert.equal(labelStep(7, 480), 1);
  assert.equal(labelStep(30, 432), 3);
  assert.equal(labelStep(1, 10), 1);
});
