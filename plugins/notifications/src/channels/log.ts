// The log channel: writes the notification to DevFlow's log (stderr or the log file). Always available.
import type { Channel, ChannelConfig, ChannelEnv } from './types.js';

export function logChannel(name: string, _c: ChannelConfig, env: ChannelEnv): Channel {
  return {
    name,
    type: 'log',
    target: 'devflow log',
    availability: () => ({ ok: true }),
    async send(m) {
      const fields = { channel: name, kind: m.kind, severity: m.severity, rule: m.rule, project: m.project, key: m.key, ...(m.items ? { items: m.items.length } : {}) };
      env.log(m.severity === 'info' ? 'info' : 'warn', fields, `notification: ${m.title}${m.body ? ` — ${m.body}` : ''}`);
      return { ok: true, attempts: 1 };
    },
  };
}
