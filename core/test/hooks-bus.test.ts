// Hooks and the event bus: tap stages across plugins, the eventBeforeStore waterfall (enrich,
// redact, drop), failing taps and listeners attributed to their plugin, namespaces, prefix
// subscriptions, hooks a plugin provides, and eventStored after commit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DevflowEvent, DraftEvent, PluginContext, ProvidedHook, StoredEvent } from '@devflow/plugin-sdk';
import { createTestKernel } from '../src/testing/index.js';
import { plugin, stateOf } from './fixtures/kernel-helpers.js';

type Emit = PluginContext['events']['emit'];

/** A plugin that only emits; returns a handle to its emit once started. */
function emitter(id: string) {
  const handle: { emit: Emit } = { emit: () => Promise.reject(new Error(`${id} not started`)) };
  return { def: plugin(id, { start: (ctx) => void (handle.emit = ctx.events.emit) }), handle };
}

describe('hook stages', () => {
  test('pre, then normal, then post across plugins whatever their start order; within a stage, start order', async (t) => {
    const trail = (name: string, stage?: 'pre' | 'normal' | 'post') =>
      plugin(name, {
        start: (ctx) =>
          void ctx.hooks.tap(
            'eventBeforeStore',
            (e: DraftEvent) => ({ ...e, data: { ...e.data, trail: [...((e.data.trail as string[]) ?? []), name] } }),
            stage ? { stage } : undefined,
          ),
      });
    const src = emitter('src');
    // Start order is alphabetical here: a-post, b-pre, c-normal, d-normal, e-pre, src.
    const tk = await createTestKernel({ t, plugins: [trail('e-pre', 'pre'), trail('d-normal'), trail('c-normal', 'normal'), trail('b-pre', 'pre'), trail('a-post', 'post'), src.def] });
    const stored = await src.handle.emit('src.thing.happened', {});
    assert.deepEqual(stored?.data.trail, ['b-pre', 'e-pre', 'c-normal', 'd-normal', 'a-post']);
    const taps = tk.kernel.hooks.list().find((h) => h.name === 'eventBeforeStore')?.taps ?? [];
    assert.deepEqual(
      taps.filter((x) => x.plugin !== 'test-harness').map((x) => `${x.plugin}:${x.stage}`).sort(),
      ['a-post:post', 'b-pre:pre', 'c-normal:normal', 'd-normal:normal', 'e-pre:pre'],
    );
  });
});

describe('eventBeforeStore', () => {
  const filter = plugin('privacy', {
    start(ctx) {
      ctx.hooks.tap('eventBeforeStore', (e: DraftEvent) => (e.type.includes('.noise.') ? null : e), { stage: 'pre' });
      ctx.hooks.tap('eventBeforeStore', (e: DraftEvent) => ('secret' in e.data ? { ...e, data: { ...e.data, secret: '[redacted]' } } : e));
      ctx.hooks.tap('eventBeforeStore', (e: DraftEvent) => ({ ...e, data: { ...e.data, host: 'devbox' } }), { stage: 'post' });
    },
  });

  test('enriches and redacts: the log and the listeners see the changed event, never the original', async (t) => {
    const src = emitter('src');
    const heard: DevflowEvent[] = [];
    const listener = plugin('listener', { start: (ctx) => void ctx.events.on('src.*', (e) => void heard.push(e)) });
    const tk = await createTestKernel({ t, plugins: [filter, src.def, listener] });
    const stored = await src.handle.emit('src.login.happened', { user: 'ada', secret: 'hunter2' });
    assert.ok(stored);
    assert.deepEqual(stored.data, { user: 'ada', secret: '[redacted]', host: 'devbox' });
    assert.deepEqual(tk.kernel.events.get(stored.id)?.data, { user: 'ada', secret: '[redacted]', host: 'devbox' });
    assert.deepEqual(heard.map((e) => e.data), [{ user: 'ada', secret: '[redacted]', host: 'devbox' }]);
    assert.equal(JSON.stringify(tk.kernel.events.query({ types: ['src.*'] })).includes('hunter2'), false);
  });

  test('drops: emit resolves undefined, no listener hears it, the log never has it, later taps never see it', async (t) => {
    const src = emitter('src');
    const heard: string[] = [];
    const listener = plugin('listener', { start: (ctx) => void ctx.events.on('*', (e) => void heard.push(e.type)) });
    const tk = await createTestKernel({ t, plugins: [filter, src.def, listener] });
    const droppedBefore = tk.kernel.status().ingest.dropped;
    assert.equal(await src.handle.emit('src.noise.happened', { n: 1 }), undefined);
    assert.ok(await src.handle.emit('src.signal.happened', { n: 2 }));
    tk.flush();
    assert.deepEqual(heard.filter((h) => h.startsWith('src.')), ['src.signal.happened']);
    assert.equal(tk.kernel.events.count({ types: ['src.noise.happened'] }), 0);
    assert.equal(tk.kernel.events.count({ types: ['src.signal.happened'] }), 1);
    assert.equal(tk.kernel.status().ingest.dropped, droppedBefore + 1);
  });

  test('a tap that throws is logged against its plugin (KRN_ERR_HOOK_FAILED); the waterfall goes on with the input unchanged', async (t) => {
    const seenByNext: unknown[] = [];
    const faulty = plugin('faulty', {
      start: (ctx) =>
        void ctx.hooks.tap('eventBeforeStore', (e: DraftEvent) => {
          if (e.source === 'src') throw new Error('regex exploded');
          return e;
        }),
    });
    const next = plugin('next', { start: (ctx) => void ctx.hooks.tap('eventBeforeStore', (e: DraftEvent) => (seenByNext.push(e.data), e), { stage: 'post' }) });
    const src = emitter('src');
    const tk = await createTestKernel({ t, plugins: [faulty, next, src.def] });
    const stored = await src.handle.emit('src.thing.happened', { keep: 'me' });
    assert.deepEqual(stored?.data, { keep: 'me' });
    assert.deepEqual(seenByNext.at(-1), { keep: 'me' });
    const line = tk.logs.find((l) => l.code === 'KRN_ERR_HOOK_FAILED');
    assert.equal(line?.plugin, 'faulty');
    assert.match(line?.msg ?? '', /tap on "eventBeforeStore" threw: regex exploded/);
    assert.match(tk.kernel.status().plugins.find((p) => p.id === 'faulty')?.lastError ?? '', /^KRN_ERR_HOOK_FAILED/);
    assert.equal(stateOf(tk.kernel, 'faulty'), 'started');
  });
});

describe('listeners', () => {
  test('a listener that throws or rejects is logged against its own plugin; the emitter and other listeners are unaffected', async (t) => {
    const heardByGood: string[] = [];
    const src = emitter('src');
    const bad = plugin('bad-listener', {
      start(ctx) {
        ctx.events.on('src.thing.happened', () => {
          throw new Error('listener blew up');
        });
        ctx.events.on('src.thing.happened', async () => {
          await Promise.resolve();
          throw new Error('async listener blew up');
        });
      },
    });
    const good = plugin('good-listener', { start: (ctx) => void ctx.events.on('src.thing.happened', (e) => void heardByGood.push(e.id)) });
    const tk = await createTestKernel({ t, plugins: [bad, good, src.def] });
    const stored = await src.handle.emit('src.thing.happened', { n: 1 });
    assert.ok(stored, 'the emitter got its stored event');
    assert.deepEqual(heardByGood, [stored.id]);
    const lines = tk.logs.filter((l) => l.code === 'KRN_ERR_EVENT_HANDLER_FAILED');
    assert.deepEqual(lines.map((l) => l.plugin), ['bad-listener', 'bad-listener']);
    assert.deepEqual(lines.map((l) => /threw: (.*)$/.exec(l.msg ?? '')?.[1]).sort(), ['async listener blew up', 'listener blew up']);
    assert.equal(stateOf(tk.kernel, 'bad-listener'), 'started');
  });

  test('exact types, prefixes (a.*, a.b.*) and * each get what they match, and only that', async (t) => {
    const got: Record<string, string[]> = {};
    const on = (pattern: string) => (ctx: PluginContext) => void ctx.events.on(pattern, (e) => void (got[pattern] ??= []).push(e.type));
    const patterns = ['alpha.build.finished', 'alpha.*', 'alpha.build.*', '*'];
    const listener = plugin('listener', { start: (ctx) => patterns.forEach((p) => on(p)(ctx)) });
    const alpha = emitter('alpha');
    const alphabet = emitter('alphabet');
    const tk = await createTestKernel({ t, plugins: [listener, alpha.def, alphabet.def] });
    await alpha.handle.emit('alpha.build.started', {});
    await alpha.handle.emit('alpha.build.finished', {});
    await alpha.handle.emit('alpha.test.finished', {});
    await alphabet.handle.emit('alphabet.soup.served', {});
    assert.deepEqual(got['alpha.build.finished'], ['alpha.build.finished']);
    assert.deepEqual(got['alpha.*'], ['alpha.build.started', 'alpha.build.finished', 'alpha.test.finished']);
    assert.deepEqual(got['alpha.build.*'], ['alpha.build.started', 'alpha.build.finished']);
    assert.deepEqual(
      got['*']?.filter((x) => !x.startsWith('kernel.')),
      ['alpha.build.started', 'alpha.build.finished', 'alpha.test.finished', 'alphabet.soup.served'],
    );
  });

  test('an event a listener emits in reaction is logged after the event that caused it', async (t) => {
    const src = emitter('src');
    const analyzer = plugin('analyzer', {
      start: (ctx) => void ctx.events.on('src.commit.created', (e) => void ctx.events.emit('analyzer.stage.changed', { cause: e.id })),
    });
    const tk = await createTestKernel({ t, plugins: [src.def, analyzer] });
    const cause = await src.handle.emit('src.commit.created', {});
    const effect = await tk.waitForEvent((e) => e.type === 'analyzer.stage.changed');
    assert.equal(effect.data.cause, cause?.id);
    assert.ok((cause?.seq ?? Infinity) < effect.seq, `cause seq ${cause?.seq} should precede effect seq ${effect.seq}`);
    assert.deepEqual(
      tk.kernel.events.query({ types: ['src.*', 'analyzer.*'] }).events.map((e) => e.type),
      ['src.commit.created', 'analyzer.stage.changed'],
    );
  });

  test('an invalid pattern is refused with KRN_ERR_EVENT_INVALID', async (t) => {
    const tk = await createTestKernel({ t, allowFailures: true, plugins: [plugin('sloppy', { start: (ctx) => void ctx.events.on('alpha*', () => {}) })] });
    assert.equal(tk.report.problems[0]?.code, 'KRN_ERR_EVENT_INVALID');
  });
});

describe('emitting', () => {
  test('outside the plugin’s namespace, or not <id>.<noun>.<verb>, throws KRN_ERR_EVENT_NAMESPACE synchronously', async (t) => {
    const src = emitter('src');
    const heard: string[] = [];
    const listener = plugin('listener', { start: (ctx) => void ctx.events.on('*', (e) => void heard.push(e.type)) });
    const tk = await createTestKernel({ t, plugins: [src.def, listener] });
    for (const type of ['other.thing.happened', 'srcx.thing.happened', 'src.thing', 'src.Thing.happened', 'kernel.plugin.started']) {
      assert.throws(
        () => void src.handle.emit(type, {}),
        (e: { code?: string; plugin?: string }) => e.code === 'KRN_ERR_EVENT_NAMESPACE' && e.plugin === 'src',
        type,
      );
    }
    tk.flush();
    assert.equal(heard.filter((h) => !h.startsWith('kernel.')).length, 0);
    assert.equal(tk.kernel.events.count({ source: 'src' }), 0);
  });
});

describe('hooks provided by plugins', () => {
  interface Commit {
    hash: string;
    team?: string;
  }
  const git = plugin('git', {
    permissions: ['git:read'],
    start(ctx) {
      const parsed: ProvidedHook<[Commit], Commit> = ctx.hooks.provide<[Commit], Commit>('commitParsed', 'syncWaterfall');
      ctx.tools.register(
        { name: 'git_parse', description: 'Parses a commit through the commitParsed hook.', permission: 'git:read', inputSchema: { type: 'object', properties: { hash: { type: 'string' } } } },
        ({ hash }) => parsed.call({ hash: String(hash) }) as Commit,
      );
    },
  });

  test('a dependent taps the hook its dependency provides', async (t) => {
    const team = plugin('team', {
      dependencies: { git: '^1.0.0' },
      start: (ctx) => void ctx.hooks.tap('git.commitParsed', (c: Commit) => ({ ...c, team: 'core' })),
    });
    const tk = await createTestKernel({ t, plugins: [team, git] });
    const r = await tk.callTool('git_parse', { hash: 'abc123' });
    assert.deepEqual(r.ok && r.value, { hash: 'abc123', team: 'core' });
    const hook = tk.kernel.hooks.list().find((h) => h.name === 'git.commitParsed');
    assert.deepEqual([hook?.owner, hook?.kind, hook?.taps], ['git', 'syncWaterfall', [{ plugin: 'team', stage: 'normal' }]]);
  });

  test('tapping the hook of a plugin that is not a declared dependency fails with KRN_ERR_UNDECLARED_DEPENDENCY', async (t) => {
    const outsider = plugin('outsider', { start: (ctx) => void ctx.hooks.tap('git.commitParsed', (c: Commit) => c) });
    const tk = await createTestKernel({ t, allowFailures: true, plugins: [git, outsider] });
    const [p] = tk.report.problems;
    assert.deepEqual([p?.plugin, p?.code], ['outsider', 'KRN_ERR_UNDECLARED_DEPENDENCY']);
    assert.match(p?.detail ?? '', /"git\.commitParsed"/);
    assert.deepEqual(tk.kernel.hooks.list().find((h) => h.name === 'git.commitParsed')?.taps, []);
  });

  test('tapping a hook that does not exist fails with KRN_ERR_HOOK_UNKNOWN', async (t) => {
    const typo = plugin('typo', { start: (ctx) => void ctx.hooks.tap('eventBeforeStor', (e: unknown) => e) });
    const tk = await createTestKernel({ t, allowFailures: true, plugins: [typo] });
    assert.equal(tk.report.problems[0]?.code, 'KRN_ERR_HOOK_UNKNOWN');
  });
});

describe('eventStored', () => {
  test('sees each batch after it is committed: events have seqs and are readable from the log', async (t) => {
    const batches: { seqs: number[]; readable: boolean[] }[] = [];
    const src = emitter('src');
    const watcher = plugin('watcher', {
      start: (ctx) =>
        void ctx.hooks.tap('eventStored', (events: readonly StoredEvent[]) => {
          const mine = events.filter((e) => e.source === 'src');
          if (mine.length) batches.push({ seqs: mine.map((e) => e.seq), readable: mine.map((e) => ctx.storage.events.get(e.id)?.seq === e.seq) });
        }),
    });
    const tk = await createTestKernel({ t, plugins: [watcher, src.def] });
    const stored = await Promise.all([1, 2, 3].map((n) => src.handle.emit('src.thing.happened', { n })));
    const seqs = stored.map((e) => e?.seq);
    assert.deepEqual(batches.flatMap((b) => b.seqs), seqs);
    assert.ok(batches.every((b) => b.readable.every(Boolean)));
    assert.ok(tk.events.some((e) => e.id === stored[2]?.id));
  });
});
