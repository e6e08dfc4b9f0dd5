// The tool call path (RBAC → input validation → beforeToolCall → handler → output check →
// afterToolCall → audit) and what the kernel refuses at registration.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ToolCallInfo, ToolCallOutcome } from '@devflow/plugin-sdk';
import { createTestKernel } from '../src/testing/index.js';
import { deferred, plugin, sleep, stateOf, until } from './fixtures/kernel-helpers.js';

interface Call {
  tool: string;
  args: unknown;
}

/** A plugin with one tool of each behaviour; `calls` records every handler invocation. */
function notesPlugin(calls: Call[]) {
  return plugin('notes', {
    permissions: ['notes:read', 'notes:write'],
    start(ctx) {
      const reg = (name: string, permission: string, extra: object, handler: (args: never, call: never) => unknown) =>
        ctx.tools.register({ name, description: `The ${name} test tool.`, permission, inputSchema: { type: 'object' }, ...extra }, ((args: never, call: never) => {
          calls.push({ tool: name, args });
          return handler(args, call);
        }) as never);
      let next = 0;
      reg(
        'notes_add',
        'notes:write',
        {
          inputSchema: {
            type: 'object',
            properties: {
              text: { type: 'string', minLength: 1 },
              tags: { type: 'array', items: { type: 'string' }, default: [] },
              pinned: { type: 'boolean', default: false },
            },
            required: ['text'],
            additionalProperties: false,
          },
          outputSchema: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        },
        () => ({ id: ++next }),
      );
      reg('notes_bad_output', 'notes:read', { outputSchema: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } }, () => ({ id: 'seven' }));
      reg('notes_explode', 'notes:read', {}, () => {
        throw new Error('disk on fire');
      });
      reg('notes_reject', 'notes:read', {}, async () => Promise.reject(new Error('async disk on fire')));
      reg('notes_cached', 'notes:read', {}, () => ({ fresh: true }));
      reg('notes_wait', 'notes:read', {}, (_args: never, call: { signal: AbortSignal; progress(u: unknown): void }) => {
        call.progress({ progress: 1, total: 2, message: 'waiting' });
        return new Promise((resolve) => {
          call.signal.addEventListener('abort', () => resolve({ aborted: true, reason: String(call.signal.reason) }), { once: true });
        });
      });
    },
  });
}

/** A plugin tapping the tool-call hooks: vetoes, answers from a cache, records outcomes. */
function policyPlugin(outcomes: { call: ToolCallInfo; outcome: ToolCallOutcome }[], opts: { throwOn?: string } = {}) {
  return plugin('policy', {
    start(ctx) {
      ctx.hooks.tap('beforeToolCall', (call: ToolCallInfo) => {
        if (call.tool === opts.throwOn) throw new Error('policy engine crashed');
        if (call.tool === 'notes_add' && (call.args.text as string) === 'forbidden words') return { veto: 'text is not allowed' };
        if (call.tool === 'notes_cached') return { result: { fromCache: true } };
        return undefined;
      });
      ctx.hooks.tap('afterToolCall', (call: ToolCallInfo, outcome: ToolCallOutcome) => void outcomes.push({ call, outcome }));
    },
  });
}

describe('the call path', () => {
  test('input is validated before the handler runs: the handler is not called and the error names the argument', async (t) => {
    const calls: Call[] = [];
    const tk = await createTestKernel({ t, plugins: [notesPlugin(calls)] });
    const missing = await tk.callTool('notes_add', { tags: ['x'] });
    assert.equal(missing.ok, false);
    assert.ok(!missing.ok && missing.error.code === 'KRN_ERR_TOOL_INPUT');
    assert.match(!missing.ok ? missing.error.message : '', /invalid arguments for notes_add: .*missing required key "text"/);
    const wrong = await tk.callTool('notes_add', { text: 'hi', tags: 'x', colour: 'red' });
    assert.ok(!wrong.ok);
    assert.deepEqual(
      wrong.error.issues?.map((i) => i.path).sort(),
      ['colour', 'tags'],
    );
    assert.match(wrong.error.message, /tags must be array/);
    assert.match(wrong.error.message, /colour unknown key "colour"/);
    assert.deepEqual(calls, []);
  });

  test('defaults from the input schema are applied to the arguments the handler gets', async (t) => {
    const calls: Call[] = [];
    const tk = await createTestKernel({ t, plugins: [notesPlugin(calls)] });
    const r = await tk.callTool('notes_add', { text: 'remember milk' });
    assert.deepEqual(r.ok && r.value, { id: 1 });
    assert.deepEqual(calls, [{ tool: 'notes_add', args: { text: 'remember milk', tags: [], pinned: false } }]);
  });

  test('a result that does not match outputSchema is an error result', async (t) => {
    const tk = await createTestKernel({ t, plugins: [notesPlugin([])] });
    const r = await tk.callTool('notes_bad_output', {});
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KRN_ERR_TOOL_FAILED');
    assert.match(r.error.message, /notes_bad_output returned a result that does not match its outputSchema: id must be integer/);
  });

  test('a handler that throws or rejects gives a KRN_ERR_TOOL_FAILED result, never a throw', async (t) => {
    const tk = await createTestKernel({ t, plugins: [notesPlugin([])] });
    for (const [name, message] of [['notes_explode', 'disk on fire'], ['notes_reject', 'async disk on fire']] as const) {
      const r = await tk.callTool(name, {});
      assert.ok(!r.ok, name);
      assert.deepEqual([r.error.code, r.error.plugin], ['KRN_ERR_TOOL_FAILED', 'notes']);
      assert.equal(r.error.message, `${name} failed: ${message}`);
    }
    assert.equal(stateOf(tk.kernel, 'notes'), 'started');
  });

  test('an unknown tool is a KRN_ERR_TOOL_NOT_FOUND result', async (t) => {
    const tk = await createTestKernel({ t, plugins: [notesPlugin([])] });
    const r = await tk.callTool('notes_nothing', {});
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KRN_ERR_TOOL_NOT_FOUND');
  });

  test('beforeToolCall can veto a call or answer it from a cache; the handler is not called either way', async (t) => {
    const calls: Call[] = [];
    const tk = await createTestKernel({ t, plugins: [notesPlugin(calls), policyPlugin([])] });
    const vetoed = await tk.callTool('notes_add', { text: 'forbidden words' });
    assert.ok(!vetoed.ok);
    assert.equal(vetoed.error.code, 'KRN_ERR_TOOL_VETOED');
    assert.match(vetoed.error.message, /refused: text is not allowed/);
    const cached = await tk.callTool('notes_cached', {});
    assert.deepEqual(cached.ok && cached.value, { fromCache: true });
    assert.deepEqual(calls, []);
    const allowed = await tk.callTool('notes_add', { text: 'fine words' });
    assert.ok(allowed.ok);
    assert.equal(calls.length, 1);
  });

  test('a beforeToolCall tap that throws vetoes the call (fail closed) and is logged against its plugin', async (t) => {
    const calls: Call[] = [];
    const tk = await createTestKernel({ t, plugins: [notesPlugin(calls), policyPlugin([], { throwOn: 'notes_add' })] });
    const r = await tk.callTool('notes_add', { text: 'anything' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'KRN_ERR_TOOL_VETOED');
    assert.match(r.error.message, /policy hook of plugin "policy" failed/);
    assert.deepEqual(calls, []);
    const line = tk.logs.find((l) => l.code === 'KRN_ERR_HOOK_FAILED');
    assert.equal(line?.plugin, 'policy');
    assert.match(line?.msg ?? '', /tap on "beforeToolCall" threw: policy engine crashed/);
  });

  test('afterToolCall sees every outcome: success, handler failure, veto, cached answer', async (t) => {
    const outcomes: { call: ToolCallInfo; outcome: ToolCallOutcome }[] = [];
    const tk = await createTestKernel({ t, plugins: [notesPlugin([]), policyPlugin(outcomes)] });
    await tk.callTool('notes_add', { text: 'a' });
    await tk.callTool('notes_explode', {});
    await tk.callTool('notes_add', { text: 'forbidden words' });
    await tk.callTool('notes_cached', {});
    assert.deepEqual(
      outcomes.map(({ call, outcome }) => [call.tool, call.plugin, call.principal.id, outcome.ok, outcome.error?.code]),
      [
        ['notes_add', 'notes', tk.kernel.localPrincipal.id, true, undefined],
        ['notes_explode', 'notes', tk.kernel.localPrincipal.id, false, 'KRN_ERR_TOOL_FAILED'],
        ['notes_add', 'notes', tk.kernel.localPrincipal.id, false, 'KRN_ERR_TOOL_VETOED'],
        ['notes_cached', 'notes', tk.kernel.localPrincipal.id, true, undefined],
      ],
    );
    assert.deepEqual(outcomes[0]?.call.args, { text: 'a', tags: [], pinned: false });
    for (const { outcome } of outcomes) assert.ok(outcome.durationMs >= 0);
  });

  test('every call is recorded in the audit log with its outcome', async (t) => {
    const tk = await createTestKernel({ t, plugins: [notesPlugin([]), policyPlugin([])] });
    await tk.callTool('notes_add', { text: 'a' });
    await tk.callTool('notes_add', {});
    await tk.callTool('notes_explode', {});
    await tk.callTool('notes_add', { text: 'forbidden words' });
    await tk.as('viewer').callTool('notes_add', { text: 'b' });
    await tk.callTool('notes_nothing', {});
    const rows = tk.kernel.audit.query({ action: 'tool:call' }).reverse();
    assert.deepEqual(
      rows.map((r) => [r.target, r.outcome, r.role, r.detail?.code]),
      [
        ['notes_add', 'ok', 'developer', undefined],
        ['notes_add', 'error', 'developer', 'KRN_ERR_TOOL_INPUT'],
        ['notes_explode', 'error', 'developer', 'KRN_ERR_TOOL_FAILED'],
        ['notes_add', 'vetoed', 'developer', 'KRN_ERR_TOOL_VETOED'],
        ['notes_add', 'denied', 'viewer', undefined],
        ['notes_nothing', 'error', 'developer', 'KRN_ERR_TOOL_NOT_FOUND'],
      ],
    );
    assert.equal(rows[4]?.principal, 'test:viewer');
    assert.equal(rows[4]?.detail?.permission, 'notes:write');
  });

  test('cancellation: the caller’s AbortSignal reaches the handler; progress reaches the caller', async (t) => {
    const tk = await createTestKernel({ t, plugins: [notesPlugin([])] });
    const controller = new AbortController();
    const progress: unknown[] = [];
    const pending = tk.callTool('notes_wait', {}, { signal: controller.signal, onProgress: (u) => void progress.push(u) });
    await until(() => progress.length > 0, 'the handler to start');
    controller.abort('user pressed stop');
    const r = await pending;
    assert.deepEqual(r.ok && r.value, { aborted: true, reason: 'user pressed stop' });
    assert.deepEqual(progress, [{ progress: 1, total: 2, message: 'waiting' }]);
  });

  test('stopping the plugin aborts a running call’s signal and waits for it to finish', async (t) => {
    const tk = await createTestKernel({ t, plugins: [notesPlugin([])] });
    const started = deferred();
    const pending = tk.callTool('notes_wait', {}, { onProgress: () => started.resolve() });
    await started.promise;
    await tk.kernel.stop();
    const r = await pending;
    assert.ok(r.ok);
    assert.equal((r.value as { aborted: boolean }).aborted, true);
  });

  test('a call whose afterToolCall hook is still running when the kernel stops still resolves with its result', async (t) => {
    const inHook = deferred();
    const releaseHook = deferred();
    const slowAudit = plugin('slow-audit', {
      start: (ctx) =>
        void ctx.hooks.tap('afterToolCall', async () => {
          inHook.resolve();
          await releaseHook.promise;
        }),
    });
    const tk = await createTestKernel({ t, plugins: [notesPlugin([]), slowAudit] });
    const pending = tk.callTool('notes_add', { text: 'late' });
    await inHook.promise;
    let stopped = false;
    const stopping = tk.kernel.stop().then(() => (stopped = true));
    await sleep(30);
    assert.equal(stopped, false, 'the kernel stopped (and closed the database) under a running call');
    releaseHook.resolve();
    await stopping;
    const r = await pending;
    assert.deepEqual(r.ok && r.value, { id: 1 });
  });
});

describe('registration', () => {
  const tool = (name: string, permission = 'x:read') => ({ name, description: 'A tool for registration tests.', permission, inputSchema: { type: 'object' } }) as const;
  const registering = (id: string, ...defs: ReturnType<typeof tool>[]) =>
    plugin(id, { permissions: ['x:read'], start: (ctx) => defs.forEach((d) => ctx.tools.register(d, () => ({}))) });

  test('invalid tool names fail the plugin with KRN_ERR_TOOL_INVALID; 64 snake_case characters are fine', async (t) => {
    const ok64 = `x_${'a'.repeat(62)}`;
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [
        registering('too-long', tool(`x_${'a'.repeat(63)}`)),
        registering('camel', tool('xGetThing')),
        registering('kebab', tool('x-get-thing')),
        registering('leading-digit', tool('1_thing')),
        registering('fine', tool(ok64)),
      ],
    });
    assert.deepEqual(
      tk.report.problems.map((p) => `${p.plugin} ${p.code}`).sort(),
      ['camel KRN_ERR_TOOL_INVALID', 'kebab KRN_ERR_TOOL_INVALID', 'leading-digit KRN_ERR_TOOL_INVALID', 'too-long KRN_ERR_TOOL_INVALID'],
    );
    assert.match(tk.report.problems[0]?.detail ?? '', /snake_case.*at most 64 characters/);
    assert.deepEqual(tk.kernel.tools.list().map((x) => x.name), [ok64]);
  });

  test('a tool needing a permission the plugin did not declare fails the plugin with KRN_ERR_PERMISSION_UNDECLARED', async (t) => {
    const tk = await createTestKernel({ t, allowFailures: true, plugins: [registering('greedy', tool('greedy_tool', 'admin:write'))] });
    const [p] = tk.report.problems;
    assert.deepEqual([p?.plugin, p?.code], ['greedy', 'KRN_ERR_PERMISSION_UNDECLARED']);
    assert.match(p?.detail ?? '', /"admin:write"/);
    assert.equal(stateOf(tk.kernel, 'greedy'), 'failed');
    assert.deepEqual(tk.kernel.tools.list(), []);
  });

  test('the same tool name from a second plugin fails it with KRN_ERR_TOOL_DUPLICATE naming the first; the first keeps it', async (t) => {
    const tk = await createTestKernel({
      t,
      allowFailures: true,
      plugins: [registering('first', tool('x_shared')), registering('second', tool('x_shared'), tool('x_second_only'))],
    });
    const [p] = tk.report.problems;
    assert.deepEqual([p?.plugin, p?.code], ['second', 'KRN_ERR_TOOL_DUPLICATE']);
    assert.match(p?.detail ?? '', /already registered by plugin "first"/);
    assert.deepEqual(tk.kernel.tools.list().map((x) => [x.name, x.plugin]), [['x_shared', 'first']]);
    assert.ok((await tk.callTool('x_shared', {})).ok);
  });
});
