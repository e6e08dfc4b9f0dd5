import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyProcess, detectAssistants, parseProcStat, parsePs, procfsSource } from '../src/processes.js';
import { setup, tempDir } from './helpers.js';

test('classifyProcess knows the assistants and nothing else', () => {
  const cases: [string[], string | null][] = [
    [['node', '/usr/local/lib/node_modules/@anthropic-ai/claude-code/cli.js', '--resume'], 'claude'],
    [['claude'], 'claude'],
    [['/home/dev/.local/share/claude/versions/2.0.76', '--continue'], 'claude'],
    [['node', '/usr/lib/node_modules/@openai/codex/bin/codex.js'], 'codex'],
    [['/usr/lib/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex', 'exec'], 'codex'],
    [['/opt/homebrew/bin/node', '/opt/homebrew/bin/gemini'], 'gemini'],
    [['node', '/usr/lib/node_modules/@google/gemini-cli/dist/index.js'], 'gemini'],
    [['node', '/usr/lib/node_modules/@qwen-code/qwen-code/cli.js'], 'qwen'],
    [['qwen'], 'qwen'],
    [['/usr/share/cursor/cursor', '--no-sandbox'], 'cursor'],
    [['/tmp/.mount_Cursor1a2b/cursor'], 'cursor'],
    [['/usr/share/cursor/cursor', '--type=renderer'], null],
    [['cursor-agent', 'chat'], 'cursor'],
    [['/usr/share/code/code', '/home/dev/.vscode/extensions/github.copilot-1.388.0/dist/language-server.js', '--stdio'], 'copilot'],
    [['node', '/usr/lib/node_modules/@github/copilot/index.js'], 'copilot'],
    [['/usr/share/code/code'], null],
    [['/usr/share/code/code', '--type=utility'], null],
    [['grep', 'claude'], null],
    [['vim', 'claude.md'], null],
    [['node', '/srv/mcp-server-for-claude.js'], null],
    [['python3', '-m', 'gemini'], null],
    [[], null],
  ];
  for (const [argv, tool] of cases) assert.equal(classifyProcess(argv), tool, argv.join(' '));
});

test('parseProcStat, parsePs and detectAssistants (a wrapper and its binary are one assistant)', () => {
  assert.deepEqual(parseProcStat(statLine(4242, 'node (weird) name', 77, '123456')), { ppid: 77, startTime: '123456' });
  assert.equal(parseProcStat('garbage'), undefined);

  const ps = parsePs('  501   1 Thu Nov 20 10:00:00 2025     /usr/local/bin/node /usr/local/lib/node_modules/@anthropic-ai/claude-code/cli.js\n  502 501 Thu Nov 20 10:00:01 2025 bash\n');
  assert.equal(ps.length, 2);
  assert.equal(ps[0]!.pid, 501);
  assert.equal(ps[0]!.startKey, 'Thu Nov 20 10:00:00 2025');
  assert.equal(classifyProcess(ps[0]!.argv), 'claude');

  const found = detectAssistants(
    [
      { pid: 10, ppid: 1, argv: ['node', '/usr/lib/node_modules/@openai/codex/bin/codex.js'], startKey: 'a' },
      { pid: 11, ppid: 10, argv: ['/usr/lib/node_modules/@openai/codex/vendor/codex/codex'], startKey: 'b' },
      { pid: 12, ppid: 1, argv: ['claude'], startKey: 'c' },
      { pid: 13, ppid: 12, argv: ['bash', '-c', 'npm test'], startKey: 'd' },
      { pid: 99, ppid: 1, argv: ['claude'], startKey: 'self' },
    ],
    99,
  );
  assert.deepEqual(found, [
    { tool: 'codex', pid: 10, startKey: 'a' },
    { tool: 'claude', pid: 12, startKey: 'c' },
  ]);
});

/** A /proc/<pid>/stat line: pid (comm) state ppid … with starttime as field 22. */
function statLine(pid: number, comm: string, ppid: number, start: string): string {
  const fields = [String(pid), `(${comm})`, 'S', String(ppid), ...Array.from({ length: 48 }, () => '0')];
  fields[21] = start;
  return `${fields.join(' ')}\n`;
}

function fakeProc(root: string, pid: number, argv: string[], opts: { ppid?: number; start?: string; cwd?: string } = {}): void {
  const dir = join(root, String(pid));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
  writeFileSync(join(dir, 'stat'), statLine(pid, argv[0] ?? '', opts.ppid ?? 1, opts.start ?? '1000'));
  if (opts.cwd) symlinkSync(opts.cwd, join(dir, 'cwd'));
}

test('procfsSource reads a procfs tree; kernel threads and vanished entries are skipped', async (t) => {
  const root = tempDir(t);
  fakeProc(root, 300, ['claude', '--continue'], { ppid: 7, start: '555' });
  mkdirSync(join(root, '2'));
  writeFileSync(join(root, '2', 'cmdline'), ''); // a kernel thread
  mkdirSync(join(root, 'self'));
  const list = await procfsSource(root)();
  assert.deepEqual(list, [{ pid: 300, argv: ['claude', '--continue'], ppid: 7, startKey: '555' }]);
});

test('assistant.started / assistant.stopped from the process table, with the project from the cwd; a pid reused is a new process', async (t) => {
  const dir = tempDir(t);
  const proc = join(dir, 'proc');
  mkdirSync(proc);
  const s = await setup(t, { dir, config: { processes: { enabled: true, intervalMs: 600_000, procRoot: proc } }, options: { processes: undefined } });
  fakeProc(proc, 4100, ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'], { cwd: s.project });
  fakeProc(proc, 4200, ['gemini'], { cwd: '/somewhere/else' });
  fakeProc(proc, 4300, ['bash']);
  await s.api.checkProcesses();
  const started = () => s.tk.events.filter((e) => e.type === 'ai-monitor.assistant.started');
  const stopped = () => s.tk.events.filter((e) => e.type === 'ai-monitor.assistant.stopped');
  assert.deepEqual(started().map((e) => [e.data, e.project]), [
    [{ tool: 'claude', pid: 4100 }, s.project],
    [{ tool: 'gemini', pid: 4200 }, null],
  ]);
  await s.api.checkProcesses();
  assert.equal(started().length, 2, 'still running: not announced again');

  rmSync(join(proc, '4200'), { recursive: true });
  rmSync(join(proc, '4100'), { recursive: true });
  fakeProc(proc, 4100, ['codex'], { start: '2000' });
  await s.api.checkProcesses();
  assert.deepEqual(stopped().map((e) => e.data).sort((a, b) => Number(a.pid) - Number(b.pid)), [
    { tool: 'claude', pid: 4100 },
    { tool: 'gemini', pid: 4200 },
  ]);
  assert.deepEqual(started()[2]!.data, { tool: 'codex', pid: 4100 });
});

test('a process table that cannot be read is a warning, and detection resumes when it can', async (t) => {
  let fail = true;
  const s = await setup(t, {
    config: { processes: { enabled: true, intervalMs: 600_000 } },
    options: { processes: async () => (fail ? Promise.reject(new Error('EACCES: ps not allowed')) : [{ pid: 5, argv: ['qwen'] }]) },
  });
  await s.api.checkProcesses();
  assert.ok(s.tk.logs.some((l) => l.level === 40 && /cannot list processes/.test(String(l.msg))));
  fail = false;
  await s.api.checkProcesses();
  assert.deepEqual((await s.tk.waitForEvent((e) => e.type === 'ai-monitor.assistant.started')).data, { tool: 'qwen', pid: 5 });
});
