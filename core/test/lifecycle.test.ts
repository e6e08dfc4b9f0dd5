// Plugin lifecycle: what stop awaits and disposes, how a plugin that throws or hangs in start is
// isolated, and what ctx.use gives a plugin.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { definePlugin, type PluginContext } from '@devflow/plugin-sdk';
import { createTestKernel } from '../src/testing/index.js';
import { deferred, openWithConfigFile, plugin, sleep, stateOf, until } from './fixtures/kernel-helpers.js';

const TOOL = { description: 'A tool used by the lifecycle tests.', inputSchema: { type: 'object' } } as const;

describe('stopping a plugin', () => {
  test('stop awaits in-flight work, then disposes tools, taps, listeners, timers and onStop callbacks', async (t) => {
    const log: string[] = [];
    let ticks = 0;
    let heard = 0;
    let tapped = 0;
    let signal: AbortSignal | undefined;
    let afterDue = 0;
    const slowWork = deferred();
    const slowListener = deferred();
    const worker = plugin('worker', {
      permissions: ['worker:read'],
      start(ctx) {
        signal = ctx.signal;
        ctx.tools.register({ ...TOOL, name: 'worker_ping', permission: 'worker:read' }, () => ({ pong: true }));
        ctx.hooks.tap('eventBeforeStore', (e) => (tapped++, e));
        ctx.events.on('emitter.*', async () => {
          heard++;
          await slowListener.promise;
          log.push('slow listener finished');
        });
        ctx.scheduler.every(5, () => void ticks++);
        afterDue = Date.now() + 300;
        ctx.scheduler.after(300, () => void log.push('after() fired'));
        ctx.onStop(() => void log.push('onStop first registered'));
        ctx.onStop({ dispose: () => void log.push('onStop second registered') });
        void ctx.track(slowWork.promise.then(() => void log.push('tracked work finished')));
      },
      stop: () => void log.push(`stop() called, signal aborted=${signal?.aborted}`),
    });
    let emit: PluginContext['events']['emit'] | undefined;
    const emitter = plugin('emitter', { start: (ctx) => void (emit = ctx.events.emit) });
    const fk = openWithConfigFile(t, { plugins: { worker: true, emitter: true } }, { plugins: [worker, emitter] });
    await fk.kernel.start();
    assert.equal(stateOf(fk.kernel, 'worker'), 'started');
    await until(() => ticks > 0, 'the timer to fire');
    await emit?.('emitter.thing.happened', {});
    assert.equal(heard, 1);
    assert.ok(fk.kernel.hooks.list().find((h) => h.name === 'eventBeforeStore')?.taps.some((tp) => tp.plugin === 'worker'));

    fk.write({ plugins: { worker: false, emitter: true } });
    const reloading = fk.kernel.reload();
    await sleep(20);
    assert.equal(log.includes('onStop second registered'), false, 'disposed while work was still in flight');
    slowWork.resolve();
    slowListener.resolve();
    const report = await reloading;
    assert.ok(!(report instanceof Error));
    assert.deepEqual(report.stopped, ['worker']);

    // stop() first (signal already aborted), then the in-flight work ends, then onStop runs LIFO.
    assert.equal(log[0], 'stop() called, signal aborted=true');
    assert.deepEqual(log.slice(1, 3).sort(), ['slow listener finished', 'tracked work finished']);
    assert.deepEqual(log.slice(3), ['onStop second registered', 'onStop first registered']);
    assert.equal(stateOf(fk.kernel, 'worker'), 'disabled');
    assert.equal(fk.kernel.tools.get('worker_ping'), undefined);
    assert.equal((await fk.kernel.callTool('worker_ping', {})).ok, false);
    assert.deepEqual(
      fk.kernel.hooks.list().flatMap((h) => h.taps.filter((tp) => tp.plugin === 'worker').map(() => h.name)),
      [],
    );
    const tappedBefore = tapped;
    await emit?.('emitter.thing.happened', {});
    assert.equal(heard, 1, 'a stopped plugin still heard an event');
    assert.equal(tapped, tappedBefore, 'a stopped plugin still tapped an event');
    const ticksAfterStop = ticks;
    assert.ok(Date.now() < afterDue, 'this machine took 300 ms to get here; the after() check below would prove nothing');
    await sleep(afterDue - Date.now() + 50);
    assert.equal(ticks, ticksAfterStop, 'a stopped plugin’s interval still fired');
    assert.equal(log.includes('after() fired'), false, 'a stopped plugin’s after() still fired');
  });

  test('a timer callback that throws is logged against the plugin (KRN_ERR_SCHEDULER_FAILED) and keeps its schedule', async (t) => {
    let runs = 0;
    const tk = await createTestKernel({
      t,
      plugins: [
        plugin('flaky-timer', {
          start: (ctx) =>
            void ctx.scheduler.every(5, () => {
              runs++;
              throw new Error('tick failed');
            }),
        }),
      ],
    });
    await until(() => runs >= 3, 'three ticks');
    const lines = tk.logs.filter((l) => l.code === 'KRN_ERR_SCHEDULER_FAILED');
    assert.ok(lines.length >= 2);
    assert.ok(lines.every((l) => l.plugin === 'flaky-timer' && /tick failed/.test(l.msg ?? '')));
    assert.equal(stateOf(tk.kernel, 'flaky-timer'), 'started');
  });

  test('a stop() that throws is reported, and the plugin is still stopped and disposed', async (t) => {
    const tk = await createTestKernel({
      t,
      plugins: [
        plugin('clumsy', {
          permissions: ['clumsy:read'],
          start: (ctx) => void ctx.tools.register({ ...TOOL, name: 'clumsy_tool', permission: 'clumsy:read' }, () => ({})),
          stop: () => {
            throw new Error('cannot close the socket');
          },
        }),
      ],
    });
    await tk.kernel.stop();
    assert.ok(tk.events.some((e) => e.type === 'kernel.plugin.stopped' && e.data.plugin === 'clumsy'));
    assert.deepEqual(tk.kernel.tools.list(), []);
    const line = tk.logs.find((l) => l.code === 'KRN_ERR_STOP_FAILED');
    assert.equal(line?.plugin, 'clumsy');
    assert.match(line?.msg ?? '', /stop threw: cannot close the socket/);
  });

  test('work that outlives stopTimeoutMs is abandoned with KRN_ERR_STOP_FAILED, and the kernel still stops', async (t) => {
    const tk = await createTestKernel({
      t,
      config: { kernel: { stopTimeoutMs: 30 } },
      plugins: [plugin('stuck', { start: (ctx) => void ctx.track(new Promise(() => {})) })],
    });
    await tk.kernel.stop();
    assert.ok(tk.events.some((e) => e.type === 'kernel.plugin.stopped' && e.data.plugin === 'stuck'));
    assert.match(tk.logs.find((l) => l.code === 'KRN_ERR_STOP_FAILED' && l.plugin === 'stuck')?.msg ?? '', /still running after 30 ms; abandoned/);
  });

  test('reload after the kernel stopped starts nothing', async (t) => {
    let starts = 0;
    const fk = openWithConfigFile(t, { plugins: { once: true } }, { plugins: [plugin('once', { start: () => void starts++ })] });
    await fk.kernel.start();
    await fk.kernel.stop();
    const report = await fk.kernel.reload();
    assert.equal(starts, 1);
    assert.ok(!(report instanceof Error));
    assert.deepEqual(report.started, []);
  });
  test('an event emitted after the kernel stopped is refused and logged, not queued forever', async (t) => {
    let emit: PluginContext['events']['emit'] | undefined;
    const tk = await createTestKernel({ t, plugins: [plugin('late', { start: (ctx) => void (emit = ctx.events.emit) })] });
    await tk.kernel.stop();
    assert.equal(await emit?.('late.thing.happened', { n: 1 }), undefined);
    const line = tk.logs.find((l) => l.code === 'KRN_ERR_STORAGE' && l.plugin === 'late');
    assert.match(line?.msg ?? '', /"late\.thing\.happened" emitted after the kernel stopped/);
    // Had it been queued, a retry timer on the closed database would keep this test file alive.
  });
});

describe('a plugin that fails to start is isolated', () => {
  test('a throw in start: KRN_ERR_START_FAILED, its registrations removed, dependents skipped, the rest run', async (t) => {
    let heard = 0;
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [
        plugin('thrower', {
          permissions: ['thrower:read'],
          start(ctx) {
            ctx.tools.register({ ...TOOL, name: 'thrower_tool', permission: 'thrower:read' }, () => ({}));
            ctx.hooks.tap('afterToolCall', () => {});
            ctx.events.on('*', () => void heard++);
            throw new Error('boom at startup');
          },
        }),
        plugin('needs-thrower', { dependencies: { thrower: '^1.0.0' } }),
        plugin('bystander', { start: (ctx) => void ctx.events.emit('bystander.thing.happened', {}) }),
      ],
    });
    const thrower = tk.report.problems.find((p) => p.plugin === 'thrower');
    assert.equal(thrower?.code, 'KRN_ERR_START_FAILED');
    assert.match(thrower?.detail ?? '', /boom at startup/);
    assert.equal(stateOf(tk.kernel, 'thrower'), 'failed');
    const dependent = tk.report.problems.find((p) => p.plugin === 'needs-thrower');
    assert.equal(dependent?.code, 'KRN_ERR_DEPENDENCY_FAILED');
    assert.match(dependent?.detail ?? '', /"thrower"/);
    assert.equal(stateOf(tk.kernel, 'needs-thrower'), 'skipped');
    assert.equal(stateOf(tk.kernel, 'bystander'), 'started');

    assert.equal(tk.kernel.tools.get('thrower_tool'), undefined);
    assert.ok(tk.kernel.hooks.list().every((h) => h.taps.every((tp) => tp.plugin !== 'thrower')));
    await tk.waitForEvent((e) => e.type === 'bystander.thing.happened');
    assert.equal(heard, 0);
  });

  test('a hang in start: KRN_ERR_START_TIMEOUT, registrations before and after the timeout removed, dependents skipped', async (t) => {
    const late = deferred();
    let lateRegistration: unknown = 'not attempted';
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [
        plugin('hanger', {
          startTimeoutMs: 50,
          permissions: ['hanger:read'],
          async start(ctx) {
            ctx.tools.register({ ...TOOL, name: 'hanger_early', permission: 'hanger:read' }, () => ({}));
            await sleep(120);
            try {
              ctx.tools.register({ ...TOOL, name: 'hanger_late', permission: 'hanger:read' }, () => ({}));
              lateRegistration = 'accepted';
            } catch (e) {
              lateRegistration = e;
            }
            late.resolve();
          },
        }),
        plugin('after-hanger', { dependencies: { hanger: '*' } }),
        plugin('unrelated'),
      ],
    });
    const hanger = tk.report.problems.find((p) => p.plugin === 'hanger');
    assert.equal(hanger?.code, 'KRN_ERR_START_TIMEOUT');
    assert.match(hanger?.detail ?? '', /within 50 ms/);
    assert.equal(stateOf(tk.kernel, 'after-hanger'), 'skipped');
    assert.equal(stateOf(tk.kernel, 'unrelated'), 'started');
    assert.equal(tk.kernel.tools.get('hanger_early'), undefined);

    await late.promise;
    assert.ok(lateRegistration instanceof Error, 'a registration after the timeout was accepted');
    assert.equal(tk.kernel.tools.get('hanger_late'), undefined);
    assert.deepEqual(tk.kernel.status().plugins.find((p) => p.id === 'hanger')?.tools, []);
  });

  test('the kernel-wide startTimeoutMs applies when the plugin sets none', async (t) => {
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      config: { kernel: { startTimeoutMs: 40 } },
      plugins: [plugin('forever', { start: () => new Promise(() => {}) })],
    });
    assert.equal(tk.report.problems[0]?.code, 'KRN_ERR_START_TIMEOUT');
    assert.match(tk.report.problems[0]?.detail ?? '', /within 40 ms/);
  });
});

describe('ctx.use', () => {
  const counter = plugin('counter', {
    start() {
      let n = 0;
      return { next: () => ++n };
    },
  });

  test('returns the typed API of a declared dependency', async (t) => {
    let got: number[] = [];
    const user = plugin('counter-user', {
      dependencies: { counter: '^1.0.0' },
      start(ctx) {
        const api = ctx.use(counter) as { next(): number };
        got = [api.next(), api.next()];
      },
    });
    await createTestKernel({ t, plugins: [user, counter] });
    assert.deepEqual(got, [1, 2]);
  });

  test('the API type is inferred from the dependency’s start', async (t) => {
    const typed = definePlugin({ id: 'typed', version: '1.0.0', kernel: '^1.0.0', start: () => ({ double: (x: number) => x * 2 }) });
    let doubled = 0;
    const user = definePlugin({
      id: 'typed-user',
      version: '1.0.0',
      kernel: '^1.0.0',
      dependencies: { typed: '^1.0.0' },
      start(ctx) {
        // Compiles only if the API type flows through: `double` takes a number and returns one.
        const api: { double(x: number): number } = ctx.use(typed);
        doubled = api.double(21);
      },
    });
    await createTestKernel({ t, plugins: [typed, user] });
    assert.equal(doubled, 42);
  });

  test('an optional dependency that is absent gives undefined; a present one gives its API', async (t) => {
    const seen: unknown[] = [];
    const user = plugin('opt-user', {
      optionalDependencies: { counter: '^1.0.0', absent: '^1.0.0' },
      start(ctx) {
        seen.push(ctx.use('absent', { optional: true }), ctx.use('absent'), typeof (ctx.use(counter) as { next?: unknown })?.next);
      },
    });
    await createTestKernel({ t, plugins: [user, counter] });
    assert.deepEqual(seen, [undefined, undefined, 'function']);
  });

  test('using a plugin that is not declared fails the plugin with KRN_ERR_UNDECLARED_DEPENDENCY', async (t) => {
    const sneaky = plugin('sneaky', { start: (ctx) => void ctx.use(counter) });
    const tk = await createTestKernel({ t, allowFailures: true, plugins: [counter, sneaky] });
    assert.equal(tk.report.problems.length, 1);
    const [problem] = tk.report.problems;
    assert.equal(problem?.plugin, 'sneaky');
    assert.equal(problem?.code, 'KRN_ERR_UNDECLARED_DEPENDENCY');
    assert.match(problem?.detail ?? '', /"counter"/);
    assert.equal(stateOf(tk.kernel, 'counter'), 'started');
  });
});
