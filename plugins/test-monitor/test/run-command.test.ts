// runCommand with real child processes: byte-for-byte passthrough, exit codes, missing and
// unrunnable commands, signals (ended by one, forwarded, aborted), a grandchild holding the pipes,
// backpressure from a slow reader.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { runCommand } from '../src/run-command.js';

class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  onChunk: ((all: string) => void) | undefined;
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.onChunk?.(this.text);
    if (this.delayMs) setTimeout(cb, this.delayMs);
    else cb();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get text(): string {
    return this.bytes.toString('utf8');
  }
}

function scripts(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'tm-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name: string, body: string): string {
      const file = join(dir, name);
      writeFileSync(file, body);
      return file;
    },
  };
}

const io = () => ({ stdout: new Sink(), stderr: new Sink(), stdin: 'ignore' as const });
const node = process.execPath;

test('output passes through byte for byte, stdout and stderr apart, and the exit code comes back', async (t) => {
  const s = scripts(t);
  // Every byte value, invalid UTF-8, CRs, no trailing newline, written in many small pieces.
  const script = s.write(
    'bytes.cjs',
    `const out = Buffer.alloc(70000); for (let i = 0; i < out.length; i++) out[i] = (i * 7919) % 256;
     let i = 0; const step = () => { if (i >= out.length) { process.stderr.write(Buffer.from([0xff, 0xfe, 0x0d, 0x41])); process.exitCode = 3; return; }
       process.stdout.write(out.subarray(i, i += 997), step); }; step();`,
  );
  const o = io();
  const r = await runCommand([node, script], { cwd: s.dir, stdio: o });
  const expected = Buffer.alloc(70000);
  for (let i = 0; i < expected.length; i++) expected[i] = (i * 7919) % 256;
  assert.equal(r.exitCode, 3);
  assert.equal(r.signal, null);
  assert.equal(r.spawnError, null);
  assert.ok(o.stdout.bytes.equals(expected), 'stdout unchanged');
  assert.ok(o.stderr.bytes.equals(Buffer.from([0xff, 0xfe, 0x0d, 0x41])), 'stderr unchanged');
  assert.deepEqual(r.bytes, { stdout: 70000, stderr: 4 });
  assert.deepEqual([o.stdout.listenerCount('error'), o.stdout.listenerCount('drain')], [0, 0], 'detached from the output streams');
  assert.ok(r.durationMs >= 0 && r.startedAt <= Date.now());
});

test('a runner summary on stderr is read from the copy while it passes through', async (t) => {
  const s = scripts(t);
  const text = 'Tests:       1 failed, 2 passed, 3 total\n  ● suite › breaks\n';
  const script = s.write('jest.cjs', `process.stderr.write(${JSON.stringify(text)}); process.exit(1);`);
  const o = io();
  const r = await runCommand([node, script], { cwd: s.dir, stdio: o });
  assert.equal(o.stderr.text, text);
  assert.equal(r.exitCode, 1);
  assert.deepEqual({ runner: r.summary.runner, passed: r.summary.passed, failed: r.summary.failed, names: r.summary.failingTests }, { runner: 'jest', passed: 2, failed: 1, names: ['suite › breaks'] });
});

test('a command that does not exist ends with 127 and says so; a non-executable file with 126', async (t) => {
  const s = scripts(t);
  const o = io();
  const r = await runCommand(['devflow-no-such-command-xyz', '--flag'], { cwd: s.dir, stdio: o });
  assert.equal(r.exitCode, 127);
  assert.equal(r.spawnError, 'command not found: devflow-no-such-command-xyz');
  assert.equal(o.stderr.text, 'devflow: command not found: devflow-no-such-command-xyz\n');
  assert.equal(o.stdout.bytes.length, 0);

  const file = s.write('not-exec.sh', '#!/bin/sh\necho hi\n');
  chmodSync(file, 0o644);
  const p = io();
  const denied = await runCommand([file], { cwd: s.dir, stdio: p });
  assert.equal(denied.exitCode, 126);
  assert.match(p.stderr.text, /^devflow: permission denied: /);

  await assert.rejects(runCommand([], { cwd: s.dir, stdio: io() }), /no command given/);
});

test('a command ended by a signal: exit code 128 + n, and the signal', async (t) => {
  const s = scripts(t);
  const script = s.write('term.cjs', `process.stdout.write('bye\\n'); process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 10000);`);
  const o = io();
  const r = await runCommand([node, script], { cwd: s.dir, stdio: o });
  assert.equal(r.signal, 'SIGTERM');
  assert.equal(r.exitCode, 143);
  assert.equal(o.stdout.text, 'bye\n');
});

test('SIGINT to this process is forwarded to the command; the handlers go away afterwards', async (t) => {
  const s = scripts(t);
  const script = s.write(
    'int.cjs',
    `process.on('SIGINT', () => { process.stdout.write('got SIGINT\\n'); process.exit(42); });
     process.stdout.write('ready\\n'); setTimeout(() => process.exit(9), 20000);`,
  );
  const before = process.listenerCount('SIGINT');
  const o = io();
  o.stdout.onChunk = (all) => {
    if (all === 'ready\n') process.kill(process.pid, 'SIGINT');
  };
  const r = await runCommand([node, script], { cwd: s.dir, stdio: o, forwardSignals: true });
  assert.equal(r.exitCode, 42);
  assert.equal(o.stdout.text, 'ready\ngot SIGINT\n');
  assert.equal(process.listenerCount('SIGINT'), before);
});

test('aborting the signal terminates the command', async (t) => {
  const s = scripts(t);
  const script = s.write('wait.cjs', `process.stdout.write('waiting\\n'); setTimeout(() => {}, 20000);`);
  const ac = new AbortController();
  const o = io();
  o.stdout.onChunk = () => ac.abort();
  const r = await runCommand([node, script], { cwd: s.dir, stdio: o, signal: ac.signal });
  assert.equal(r.signal, 'SIGTERM');
});

test('a background grandchild holding the pipes does not keep the run from finishing', async (t) => {
  const s = scripts(t);
  const script = s.write(
    'daemon.cjs',
    `const { spawn } = require('node:child_process');
     const g = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
     process.stdout.write(String(g.pid) + '\\n'); g.unref(); process.exit(0);`,
  );
  const o = io();
  const r = await runCommand([node, script], { cwd: s.dir, stdio: o, closeGraceMs: 300 });
  const pid = Number(o.stdout.text.trim());
  t.after(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  assert.equal(r.exitCode, 0);
  assert.ok(pid > 0);
});

test('a slow reader slows the command down (backpressure); nothing is lost or reordered, even past the close grace', async (t) => {
  const s = scripts(t);
  const script = s.write('many.cjs', `let i = 0; const w = () => { while (i < 20000) { if (!process.stdout.write('line ' + i++ + '\\n')) return process.stdout.once('drain', w); } }; w();`);
  // Each write takes longer than the grace period: output held back by the reader must still all arrive.
  const o = { stdout: new Sink(30), stderr: new Sink(), stdin: 'ignore' as const };
  const r = await runCommand([node, script], { cwd: s.dir, stdio: o, closeGraceMs: 10 });
  assert.equal(r.exitCode, 0);
  const lines = o.stdout.text.split('\n');
  assert.equal(lines.length, 20001);
  assert.equal(lines[19999], 'line 19999');
  assert.ok(lines.every((l, i) => i === 20000 || l === `line ${i}`));
});
