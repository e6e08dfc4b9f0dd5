// Channel types and configured channels. Built-in types: log, desktop, webhook, slack; more can be
// registered at run time (the Slack integration plugin adds its own).
import { desktopChannel } from './desktop.js';
import { logChannel } from './log.js';
import { slackChannel } from './slack.js';
import type { Channel, ChannelConfig, ChannelEnv, ChannelFactory } from './types.js';
import { webhookChannel } from './webhook.js';

/** Channels that exist without configuration (a `channels` entry with the same name replaces one). */
export const BUILTIN_CHANNELS: Readonly<Record<string, ChannelConfig>> = { log: { type: 'log' }, desktop: { type: 'desktop' } };

export class ChannelRegistry {
  private readonly factories = new Map<string, ChannelFactory>([
    ['log', logChannel],
    ['desktop', desktopChannel],
    ['webhook', webhookChannel],
    ['slack', slackChannel],
  ]);
  private readonly built = new Map<string, Channel>();
  readonly configs: Readonly<Record<string, ChannelConfig>>;

  constructor(
    configs: Readonly<Record<string, ChannelConfig>>,
    private readonly env: ChannelEnv,
  ) {
    this.configs = { ...BUILTIN_CHANNELS, ...configs };
  }

  names(): string[] {
    return Object.keys(this.configs);
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.configs, name);
  }

  config(name: string): ChannelConfig | undefined {
    return this.has(name) ? this.configs[name] : undefined;
  }

  /** Add a channel type; channels of that type configured earlier pick it up on next use. */
  registerType(type: string, factory: ChannelFactory): () => void {
    this.factories.set(type, factory);
    for (const [name, c] of Object.entries(this.configs)) if (c.type === type) this.built.delete(name);
    return () => {
      if (this.factories.get(type) === factory) this.factories.delete(type);
      for (const [name, c] of Object.entries(this.configs)) if (c.type === type) this.built.delete(name);
    };
  }

  /** The channel, or a reason it cannot be used (unknown name, unknown type, disabled). */
  get(name: string): Channel | { missing: string } {
    const c = this.config(name);
    if (!c) return { missing: `no channel named "${name}"; configured: ${this.names().join(', ')}` };
    if (c.enabled === false) return { missing: `channel "${name}" is disabled in the config` };
    const cached = this.built.get(name);
    if (cached) return cached;
    const factory = this.factories.get(c.type);
    if (!factory) return { missing: `channel "${name}" has type "${c.type}", which no running plugin provides (built in: log, desktop, webhook, slack)` };
    const ch = factory(name, c, this.env);
    this.built.set(name, ch);
    return ch;
  }
}
