// The Channel interface: a destination for notifications. Built-in types: log, desktop, webhook,
// slack; other plugins add types through the notifications API (registerChannelType).
import type { QuietHours } from '../quiet-hours.js';

export type NotifySeverity = 'info' | 'warn' | 'error';
export const SEVERITY_RANK: Readonly<Record<NotifySeverity, number>> = { info: 0, warn: 1, error: 2 };

/** What a channel delivers. `kind`: a single alert, a quiet-hours digest, a rate-limit summary, or a test. */
export interface Message {
  kind: 'alert' | 'digest' | 'summary' | 'test';
  title: string;
  body: string;
  severity: NotifySeverity;
  project: string | null;
  rule: string | null;
  source: string | null;
  key: string;
  /** ms since the epoch */
  at: number;
  /** The held notifications a digest stands for (at most 20). */
  items?: { title: string; severity: NotifySeverity; at: number; project: string | null }[];
  attachments?: { name: string; path: string }[];
}

export type SendResult = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

/** One configured channel (the `channels.<name>` entry of the config). */
export interface ChannelConfig {
  type: string;
  enabled?: boolean;
  url?: string;
  urlEnv?: string;
  secretEnv?: string;
  minSeverity?: NotifySeverity;
  quietHours?: QuietHours;
  ratePerHour?: number;
  timeoutMs?: number;
  retries?: number;
  headers?: Record<string, string>;
}

export interface Channel {
  readonly name: string;
  readonly type: string;
  /** Whether it can deliver here (a desktop notifier exists, a URL is set); `reason` says why not. */
  availability(): { ok: true } | { ok: false; reason: string };
  /** Where it delivers, safe to show and log (URLs cut to their host; never a token). */
  readonly target: string;
  send(message: Message, signal?: AbortSignal): Promise<SendResult>;
}

/** What channels may use from the outside world: injectable for tests. */
export interface ChannelEnv {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Run a command without a shell; resolves with its exit code. */
  run: (command: string, args: readonly string[], options: { env?: Record<string, string>; timeoutMs: number }) => Promise<{ code: number | null; error?: string }>;
  exists: (path: string) => boolean;
  log: (level: 'info' | 'warn', obj: Record<string, unknown>, msg: string) => void;
}

export type ChannelFactory = (name: string, config: ChannelConfig, env: ChannelEnv) => Channel;
