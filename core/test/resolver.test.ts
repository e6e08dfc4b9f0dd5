// The check-everything planner: every problem of every plugin is found before anything starts,
// reported at once (one line each, naming the plugin and a code), and only the plugins with
// problems and their dependents are left out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReport } from '../src/report.js';
import { findCycles } from '../src/plugins/graph.js';
import { topoOrder } from '../src/plugins/resolver.js';
import { createTestKernel } from '../src/testing/index.js';
import { plugin, stateOf } from './fixtures/kernel-helpers.js';

const codesOf = (problems: readonly { plugin?: string | undefined; code: string }[]) =>
  problems.map((p) => `${p.plugin} ${p.code}`).sort();

describe('checking before starting', () => {
  test('every problem of every plugin is reported at once, one line each naming plugin and code', async (t) => {
    const started: string[] = [];
    const track = (id: string, spec: Parameters<typeof plugin>[1] = {}) => plugin(id, { ...spec, start: () => void started.push(id) });
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      config: { plugins: { off: false, 'bad-cfg': { config: { windowDays: 0 } } } },
      plugins: [
        track('base'),
        track('uses-base', { dependencies: { base: '^1.0.0' } }),
        track('future', { kernel: '^2.0.0' }),
        track('needs-ghost', { dependencies: { ghost: '^1.0.0' } }),
        track('off'),
        track('needs-off', { dependencies: { off: '^1.0.0' } }),
        track('old-dep', { dependencies: { base: '^2.0.0' } }),
        track('cyc-a', { dependencies: { 'cyc-b': '*' } }),
        track('cyc-b', { dependencies: { 'cyc-a': '*' } }),
        track('tri-a', { dependencies: { 'tri-b': '*' } }),
        track('tri-b', { dependencies: { 'tri-c': '*' } }),
        track('tri-c', { dependencies: { 'tri-a': '*' } }),
        track('bad-cfg', {
          config: { type: 'object', properties: { windowDays: { type: 'integer', minimum: 1, default: 30 } }, additionalProperties: false },
        }),
      ],
    });
    const byPlugin = new Map(tk.report.problems.map((p) => [p.plugin, p]));

    assert.deepEqual(codesOf(tk.report.problems), [
      'bad-cfg KRN_ERR_CONFIG_INVALID',
      'cyc-a KRN_ERR_DEPENDENCY_CYCLE',
      'cyc-b KRN_ERR_DEPENDENCY_CYCLE',
      'future KRN_ERR_KERNEL_VERSION',
      'needs-ghost KRN_ERR_DEPENDENCY_MISSING',
      'needs-off KRN_ERR_DEPENDENCY_MISSING',
      'old-dep KRN_ERR_DEPENDENCY_VERSION',
      'tri-a KRN_ERR_DEPENDENCY_CYCLE',
      'tri-b KRN_ERR_DEPENDENCY_CYCLE',
      'tri-c KRN_ERR_DEPENDENCY_CYCLE',
    ]);
    assert.match(byPlugin.get('future')?.detail ?? '', /needs kernel \^2\.0\.0, this kernel is 1\.\d+\.\d+/);
    assert.match(byPlugin.get('needs-ghost')?.detail ?? '', /needs "ghost" \^1\.0\.0, which is not in the config/);
    assert.match(byPlugin.get('needs-off')?.detail ?? '', /needs "off" \^1\.0\.0, which is disabled; enable "off"/);
    assert.match(byPlugin.get('old-dep')?.detail ?? '', /needs "base" \^2\.0\.0, found 1\.0\.0/);
    assert.equal(byPlugin.get('cyc-b')?.detail, 'cyc-a -> cyc-b -> cyc-a');
    assert.equal(byPlugin.get('tri-c')?.detail, 'tri-a -> tri-b -> tri-c -> tri-a');
    assert.match(byPlugin.get('bad-cfg')?.detail ?? '', /plugins\.bad-cfg\.config\.windowDays must be >= 1/);

    // Only the healthy ones ran; nothing with a problem had its start called.
    assert.deepEqual(started.sort(), ['base', 'uses-base']);
    assert.equal(stateOf(tk.kernel, 'off'), 'disabled');
    for (const id of ['future', 'needs-ghost', 'needs-off', 'old-dep', 'cyc-a', 'tri-b', 'bad-cfg']) assert.equal(stateOf(tk.kernel, id), 'failed', id);

    // The report people read: a head line, then exactly one line per problem, each led by its plugin.
    const lines = formatReport(tk.kernel.status(), tk.report.problems).split('\n');
    assert.match(lines[0] ?? '', /^devflow: 2 plugins started, 10 not started, 1 disabled$/);
    assert.equal(lines.length, 1 + tk.report.problems.length);
    for (const line of lines.slice(1)) assert.match(line, /^ {2}\[[a-z-]+\] KRN_ERR_[A-Z_]+: \S/);
  });

  test('a plugin with several problems gets all of them, not just the first', async (t) => {
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      config: { plugins: { many: { config: { level: 'loud' } } } },
      plugins: [
        plugin('many', {
          kernel: '^9.0.0',
          dependencies: { ghost: '^1.0.0' },
          config: { type: 'object', properties: { level: { enum: ['low', 'high'] } } },
        }),
      ],
    });
    assert.deepEqual(codesOf(tk.report.problems), ['many KRN_ERR_CONFIG_INVALID', 'many KRN_ERR_DEPENDENCY_MISSING', 'many KRN_ERR_KERNEL_VERSION']);
  });

  test('two plugins with the same id: the duplicate is reported and does not start', async (t) => {
    const started: string[] = [];
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [
        plugin('dup', { version: '1.0.0', start: () => void started.push('1.0.0') }),
        plugin('dup', { version: '2.0.0', start: () => void started.push('2.0.0') }),
      ],
    });
    assert.deepEqual(codesOf(tk.report.problems), ['dup KRN_ERR_PLUGIN_DUPLICATE']);
    assert.match(tk.report.problems[0]?.detail ?? '', /"dup"/);
    assert.deepEqual(started, ['1.0.0']);
  });

  test('an invalid definition is reported field by field, naming the plugin', async (t) => {
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [plugin('Bad_Id', { version: 'one', permissions: ['nocolon'] }), plugin('fine')],
    });
    const details = tk.report.problems.map((p) => `${p.plugin} ${p.code} ${p.detail}`);
    assert.equal(details.length, 3, details.join('\n'));
    assert.ok(details.every((d) => d.startsWith('Bad_Id KRN_ERR_PLUGIN_INVALID')));
    assert.ok(details.some((d) => /id must be kebab-case/.test(d)));
    assert.ok(details.some((d) => /version must be a semver version/.test(d)));
    assert.ok(details.some((d) => /permission "nocolon"/.test(d)));
    assert.equal(stateOf(tk.kernel, 'fine'), 'started');
  });
});

describe('isolating what cannot start', () => {
  test('transitive dependents are skipped naming the plugin that failed; unrelated plugins run', async (t) => {
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [
        plugin('broken', { kernel: '>=5' }),
        plugin('mid', { dependencies: { broken: '*' } }),
        plugin('top', { dependencies: { mid: '*' } }),
        plugin('soft', { optionalDependencies: { broken: '*' } }),
        plugin('loner'),
      ],
    });
    const status = new Map(tk.kernel.status().plugins.map((p) => [p.id, p]));
    assert.equal(status.get('broken')?.state, 'failed');
    assert.equal(status.get('mid')?.state, 'skipped');
    assert.equal(status.get('mid')?.code, 'KRN_ERR_DEPENDENCY_FAILED');
    assert.match(status.get('mid')?.reason ?? '', /depends on "broken", which cannot start \(KRN_ERR_KERNEL_VERSION\)/);
    assert.equal(status.get('top')?.state, 'skipped');
    assert.match(status.get('top')?.reason ?? '', /depends on "mid"/);
    // An optional dependency that cannot start does not hold anything back.
    assert.equal(status.get('soft')?.state, 'started');
    assert.equal(status.get('loner')?.state, 'started');
    assert.deepEqual(codesOf(tk.report.problems), ['broken KRN_ERR_KERNEL_VERSION', 'mid KRN_ERR_DEPENDENCY_FAILED', 'top KRN_ERR_DEPENDENCY_FAILED']);
  });

  test('a dependent of a cycle is skipped, the cycle members fail, the rest start', async (t) => {
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [
        plugin('x', { dependencies: { y: '*' } }),
        plugin('y', { dependencies: { x: '*' } }),
        plugin('on-x', { dependencies: { x: '*' } }),
        plugin('z'),
      ],
    });
    assert.equal(stateOf(tk.kernel, 'x'), 'failed');
    assert.equal(stateOf(tk.kernel, 'y'), 'failed');
    assert.equal(stateOf(tk.kernel, 'on-x'), 'skipped');
    assert.equal(stateOf(tk.kernel, 'z'), 'started');
    assert.match(tk.report.problems.find((p) => p.plugin === 'on-x')?.detail ?? '', /"x".*KRN_ERR_DEPENDENCY_CYCLE/);
  });
});

describe('start order', () => {
  test('dependencies first, ties broken by id whatever the order given; stop in reverse', async (t) => {
    const log: string[] = [];
    const p = (id: string, deps: string[] = [], optional: string[] = []) =>
      plugin(id, {
        dependencies: Object.fromEntries(deps.map((d) => [d, '*'])),
        optionalDependencies: Object.fromEntries(optional.map((d) => [d, '*'])),
        start: (ctx) => void (log.push(`start ${id}`), ctx.onStop(() => void log.push(`stop ${id}`))),
      });
    const tk = await createTestKernel({
      t,
      plugins: [p('d', ['c', 'b']), p('zed'), p('c', ['a']), p('b'), p('alpha', [], ['d']), p('a')],
    });
    // Ready at first: a, b, zed (alphabetical); c after a; d after b and c; alpha after its optional d.
    const expected = ['a', 'b', 'c', 'd', 'alpha', 'zed'];
    assert.deepEqual(log, expected.map((id) => `start ${id}`));
    assert.deepEqual(tk.report.started, expected);
    log.length = 0;
    await tk.close();
    assert.deepEqual(log, [...expected].reverse().map((id) => `stop ${id}`));
  });

  test('topoOrder and findCycles on raw graphs', () => {
    const edges = new Map([
      ['m', ['k']],
      ['k', []],
      ['b', []],
      ['z', ['b', 'm']],
    ]);
    assert.deepEqual(topoOrder(edges), ['b', 'k', 'm', 'z']);
    assert.deepEqual(findCycles(edges), []);
    assert.deepEqual(
      findCycles(
        new Map([
          ['b', ['c']],
          ['c', ['a']],
          ['a', ['b']],
          ['q', ['q']],
          ['r', ['a']],
        ]),
      ),
      [['a', 'b', 'c'], ['q']],
    );
  });
});
