// The real outside world for channels: process env and platform, fetch, timers, child processes.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChannelEnv } from './channels/types.js';

export function systemChannelEnv(log: ChannelEnv['log']): ChannelEnv {
  return {
    env: process.env,
    platform: process.platform,
    fetch: (...args) => globalThis.fetch(...args),
    sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined).catch(() => undefined),
    run: (command, args, o) =>
      new Promise((resolve) => {
        execFile(command, [...args], { timeout: o.timeoutMs, windowsHide: true, env: { ...process.env, ...o.env } }, (err) => {
          if (!err) return resolve({ code: 0 });
          const code = typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
          resolve({ code, error: (err as { killed?: boolean }).killed ? `timed out after ${o.timeoutMs} ms` : err.message.split('\n')[0]?.slice(0, 200) ?? 'failed' });
        });
      }),
    exists: (p) => existsSync(p),
    log,
  };
}
