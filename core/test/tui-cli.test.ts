// `devflow dashboard` as users run it: a real child process on a temp DEVFLOW_HOME holding recorded
// events; one plain frame when stdout is not a terminal, and the live view in a pseudo-terminal
// (python3's pty module) driven by keys, a resize and signals.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestKernel, eventSources, replay, type RecordedEvent } from '../src/testing/index.js';

const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));
const P = '/home/dev/webapp';
const BRANCH = 'feature/PROJ-7-login';

function fixture(now: number): RecordedEvent[] {
  const at = (min: number) => now - min * 60_000;
  const edit = (min: number, path: string): RecordedEvent => ({ type: 'file-monitor.file.changed', project: P, ts: at(min), data: { path, kind: 'modified', language: 'typescript', ext: '.ts', size: 100, lines: 10, linesAdded: 5, linesRemoved: 1, binary: false, count: 1 } });
  return [
    { type: 'git-monitor.branch.switched', project: P, ts: at(30), data: { repo: P, worktree: P, from: 'main', to: BRANCH, hash: 'a'.repeat(40), detached: false } },
    edit(25, 'src/login.ts'),
    edit(22, 'src/session.ts'),
    // data that tries to clear the screen and recolour it must arrive as harmless text
    edit(21, 'src/\x1b[2J\x1b[31mevil\nname.ts'),
    {
      type: 'test-monitor.run.finished', project: P, ts: at(10), severity: 'warn',
      data: { runId: 'r1', command: 'npm test', kind: 'test', runner: 'node', exitCode: 1, signal: null, ok: false, durationMs: 4100, startedAt: at(10) - 4100, passed: 12, failed: 2, skipped: 0, failingTests: ['login rejects bad password'], failingTestsTruncated: false, coverage: null, cwd: P, project: P, branch: BRANCH, reports: [], error: null },
    },
    { type: 'file-monitor.watch.degraded', project: P, ts: at(5), severity: 'warn', data: { reason: 'watch-limit', fix: 'raise fs.inotify.max_user_watches', mode: 'poll', pollMs: 2000, error: null } },
    { type: 'git-monitor.repo.failed', project: P, ts: at(4), severity: 'error', data: { error: 'fatal: not a git repository' } },
  ];
}

/** A DEVFLOW_HOME with the fixture in its database and a config with the first-party plugins and one that does not exist. */
async function home(t: { after(fn: () => unknown): void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-tui-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const events = fixture(Date.now());
  const tk = await createTestKernel({ home: dir, plugins: eventSources(events) });
  await replay(tk, events);
  await tk.close();
  const plugins = Object.fromEntries(['admin', 'file-monitor', 'git-monitor', 'test-monitor', 'ai-monitor', 'stage-analyzer', 'task-timeline', 'no-such-plugin-anywhere'].map((id) => [id, {}]));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ projects: [P], plugins }, null, 2));
  return dir;
}

const env = (dir: string, extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, DEVFLOW_HOME: dir, DEVFLOW_CONFIG: '', COLUMNS: '', NO_COLOR: '', ...extra });

function devflow(dir: string, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: env(dir, extra), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const section = (frame: string, title: string) => frame.slice(frame.indexOf(title)).split('\n').slice(1).join('\n').split(/\n(?=[A-Z][A-Z ]+(?: \(|$))/m)[0] as string;

test('--once (and any non-terminal stdout) prints one plain frame of each view and exits 0', async (t) => {
  const dir = await home(t);
  assert.equal(devflow(dir, ['call', 'devflow_status']).code, 0, 'an audited tool call by the local user');

  const activity = devflow(dir, ['dashboard', '--once']);
  assert.equal(activity.code, 0, activity.stderr);
  assert.ok(!activity.stdout.includes('\x1b'), 'no escape codes, not even from event data');
  assert.equal(activity.stderr, '', 'the log goes to the errors view, not the terminal');
  assert.match(activity.stdout, /^DevFlow \S+ · Activity +pid \d+\n\[1 Activity\] {2}2 Performance {3}3 Errors \(\d+\)\nWHERE THE WORK STANDS\n/);
  assert.match(activity.stdout, new RegExp(`project {3}${P}\\n`));
  assert.match(activity.stdout, /last run {2}FAILED npm test · 12 passed, 2 failed · 4s · /);
  assert.match(activity.stdout, /AI today {2}no sessions/);
  const recent = section(activity.stdout, 'RECENT ACTIVITY (newest first)');
  assert.match(recent, /git-monitor\.repo\.failed +webapp +fatal: not a git repository/);
  assert.match(recent, /test-monitor\.run\.finished +webapp +FAILED npm test 12 passed, 2 failed in 4s/);
  assert.match(recent, /file-monitor\.file\.changed +webapp +modified src\/ \[2J \[31mevil name\.ts \(\+5 -1\)/);
  assert.match(recent, /git-monitor\.branch\.switched +webapp +main -> feature\/PROJ-7-login/);
  assert.doesNotMatch(recent, /kernel\.plugin/, 'lifecycle events are not activity');
  assert.match(activity.stdout, /\nsnapshot at \d\d:\d\d:\d\d · "devflow dashboard" in a terminal for the live view\n$/);

  const perf = devflow(dir, ['dashboard', '--view', 'performance', '--once']);
  assert.equal(perf.code, 0, perf.stderr);
  assert.match(perf.stdout, /INGEST\n {2}rate {6}needs two samples \(live view only\) · \d+ in the last minute · log at seq \d+\n/);
  assert.match(perf.stdout, /database {2}\d+ events · [\d.]+ [KM]B · .*devflow\.db/);
  assert.match(perf.stdout, /monitors {2}not running/);
  const tools = section(perf.stdout, 'TOOL CALLS');
  assert.match(tools, /tool +calls +errors +p50 ms +p95 ms +max ms\n {2}devflow_status +1 +0 /);
  assert.doesNotMatch(tools, /devflow_context|tests_recent_runs/, "the dashboard's own calls are not counted");
  assert.match(section(perf.stdout, 'PLUGINS'), /task-timeline +started/);

  // Not a terminal without --once: the same plain frame, here 60 columns wide
  const errors = devflow(dir, ['dashboard', '--view', 'errors'], { COLUMNS: '60' });
  assert.equal(errors.code, 0, errors.stderr);
  for (const line of errors.stdout.trimEnd().split('\n')) assert.ok([...line].length <= 60, `wider than 60: "${line}"`);
  assert.match(section(errors.stdout, 'PLUGINS NOT RUNNING OR FAILING'), /no-such-plugin-anywhere +failed +KRN_ERR_PLUGIN_NOT_FOUND/);
  const events = section(errors.stdout, 'WARN AND ERROR EVENTS');
  assert.match(events, /error +git-monitor\.repo\.failed/);
  assert.match(events, /warn +file-monitor\.watch\.degraded/);
  assert.match(events, /warn +test-monitor\.run\.finished/);
  assert.match(section(errors.stdout, 'THIS PROCESS LOG'), /error \[no-such-plugin-anywhere\] KRN_ERR_PLUGIN_N/);
});

test('bad options exit 2 naming the value and what would do', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-tui-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const view = devflow(dir, ['dashboard', '--view', 'bogus']);
  assert.equal(view.code, 2);
  assert.match(view.stderr, /--view "bogus" is not a view; use one of activity, performance, errors/);
  for (const bad of ['5', 'abc', '1.5', '99999999999']) {
    const r = devflow(dir, ['dashboard', '--interval', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /--interval ".*" must be a whole number of milliseconds from 100 to 3600000/);
  }
  const help = devflow(dir, ['dashboard', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--view <view> +activity, performance or errors/);
});

// A pseudo-terminal around the dashboard: its size can be set, keys typed, signals sent.
// Commands on stdin, one per line: "k<hex bytes>" types, "s<rows> <cols>" resizes, "t" sends SIGTERM.
const PTY_HELPER = `
import os, pty, sys, select, struct, fcntl, termios, signal
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
def size(rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
size(24, 80)
buf = b''
fds = [fd, 0]
while True:
    r, _, _ = select.select(fds, [], [])
    if 0 in r:
        data = os.read(0, 1024)
        if not data:
            fds.remove(0)
        buf += data
        while b'\\n' in buf:
            line, buf = buf.split(b'\\n', 1)
            if line.startswith(b'k'): os.write(fd, bytes.fromhex(line[1:].decode()))
            elif line.startswith(b's'): size(*map(int, line[1:].split()))
            elif line == b't': os.kill(pid, signal.SIGTERM)
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;

function inPty(dir: string, python: string[], args: string[]) {
  const child = spawn('python3', [...python, process.execPath, BIN, 'dashboard', ...args], { cwd: dir, env: env(dir, { TERM: 'xterm-256color' }), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const frames = () => out.split('\x1b[?2026h').slice(1);
  return {
    child,
    exit,
    output: () => out,
    frames,
    async waitFor(what: string, ok: () => boolean): Promise<void> {
      // a guard against hanging, not a timing assertion
      for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(ok(), `no ${what} within 30 s; output so far:\n${JSON.stringify(out.slice(-2000))}`);
    },
    kill: () => child.kill('SIGKILL'),
  };
}

const RESTORED = '\x1b[?1049l\x1b[?25h';

test('live in a pseudo-terminal: alternate screen, frames redrawn in place, keys switch views, q quits and restores', async (t) => {
  const dir = await home(t);
  const pty = inPty(dir, ['-c', 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))'], ['--interval', '200']);
  t.after(() => pty.kill());
  await pty.waitFor('two activity frames', () => pty.frames().filter((f) => f.includes('WHERE THE WORK STANDS') && f.includes('updated')).length >= 2);
  const out = pty.output();
  assert.ok(out.startsWith('\x1b[?1049h\x1b[?25l'), 'enters the alternate screen and hides the cursor first');
  assert.ok(!/\x1b\[2J/.test(out.slice(out.indexOf('\x1b[?2026h'))), 'frames overwrite in place, no full clears');
  const frame = pty.frames().filter((f) => f.includes('updated')).pop() as string;
  assert.match(frame, /\x1b\[24;1H.*q quit/, 'a pty that reports 0x0 is drawn as 80x24, footer on row 24');
  assert.ok(!frame.includes('\x1b[2J\x1b[31mevil'), 'event data cannot drive the terminal');
  pty.child.stdin.write('2');
  await pty.waitFor('the performance view', () => (pty.frames().pop() ?? '').includes('INGEST'));
  pty.child.stdin.write('e');
  await pty.waitFor('the errors view', () => (pty.frames().pop() ?? '').includes('PLUGINS NOT RUNNING OR FAILING'));
  pty.child.stdin.write('q');
  assert.equal(await pty.exit, 0);
  assert.ok(pty.output().endsWith(RESTORED), `ends by leaving the alternate screen and showing the cursor: ${JSON.stringify(pty.output().slice(-80))}`);
});

test('live: a resize redraws at the new size; Ctrl-C and SIGTERM quit with the terminal restored', async (t) => {
  const dir = await home(t);
  const helper = join(dir, 'pty-helper.py');
  writeFileSync(helper, PTY_HELPER);

  const a = inPty(dir, [helper], ['--interval', '60000', '--view', 'performance']);
  t.after(() => a.kill());
  const at = (row: number) => (f: string) => new RegExp(`\x1b\\[${row};1H[^\x1b]*q quit[^\x1b]*updated \\d`).test(f);
  await a.waitFor('a frame at 80x24', () => a.frames().some(at(24)));
  a.child.stdin.write('s30 100\n');
  await a.waitFor('a frame at 100x30', () => a.frames().some(at(30)));
  const wide = a.frames().find(at(30)) as string;
  assert.match(wide, /\x1b\[1;1H(?:\x1b\[[0-9;]*m)?DevFlow \S+ · Performance {50,}pid \d+/, 'the header spans 100 columns');
  a.child.stdin.write(`k${Buffer.from('\x03').toString('hex')}\n`);
  assert.equal(await a.exit, 0);
  assert.ok(a.output().endsWith(RESTORED));

  const b = inPty(dir, [helper], ['--interval', '60000']);
  t.after(() => b.kill());
  await b.waitFor('a frame', () => b.frames().some((f) => f.includes('WHERE THE WORK STANDS')));
  b.child.stdin.write('t\n');
  assert.equal(await b.exit, 0);
  assert.ok(b.output().endsWith(RESTORED));
});
