// Start-time checks of the channel config: problems are reported with the channel's name, and a
// channel with a bad quietHours keeps working without it.
import type { ChannelConfig } from './channels/types.js';
import { checkQuietHours } from './quiet-hours.js';

export interface ChannelProblem {
  code: 'NOTIFY_ERR_CHANNEL_INVALID';
  channel: string;
  message: string;
}

export function checkChannels(configs: Readonly<Record<string, ChannelConfig>>, env: Readonly<Record<string, string | undefined>>): { channels: Record<string, ChannelConfig>; problems: ChannelProblem[] } {
  const channels: Record<string, ChannelConfig> = {};
  const problems: ChannelProblem[] = [];
  const bad = (channel: string, message: string) => problems.push({ code: 'NOTIFY_ERR_CHANNEL_INVALID', channel, message: `channel "${channel}": ${message}` });
  for (const [name, c] of Object.entries(configs)) {
    const out: ChannelConfig = { ...c };
    if (c.quietHours) {
      try {
        checkQuietHours(c.quietHours);
      } catch (e) {
        bad(name, `quietHours ignored: ${(e as Error).message}`);
        delete out.quietHours;
      }
    }
    if (c.type === 'webhook' || c.type === 'slack') {
      if (!c.url && !c.urlEnv) bad(name, `a ${c.type} channel needs "url" or "urlEnv" (the name of an environment variable holding the URL)`);
      else if (!c.url && c.urlEnv && !env[c.urlEnv]) bad(name, `environment variable ${c.urlEnv} (urlEnv) is not set; the channel is unavailable until it is`);
      if (c.secretEnv && !env[c.secretEnv]) bad(name, `environment variable ${c.secretEnv} (secretEnv) is not set; the channel is unavailable until it is`);
    } else if ((c.url || c.urlEnv || c.secretEnv) && (c.type === 'log' || c.type === 'desktop')) {
      bad(name, `url, urlEnv and secretEnv mean nothing for a ${c.type} channel (ignored)`);
    }
    channels[name] = out;
  }
  return { channels, problems };
}
