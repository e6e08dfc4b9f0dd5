// Desktop notifications where the OS offers them: notify-send (Linux, with a graphical session),
// osascript (macOS), PowerShell toast (Windows). Unavailable elsewhere: reported, never a crash.
import { delimiter, join } from 'node:path';
import type { Channel, ChannelConfig, ChannelEnv, Message } from './types.js';

/** The first `command` found on PATH (with PATHEXT on Windows), or undefined. */
export function findOnPath(command: string, env: ChannelEnv): string | undefined {
  const dirs = (env.env.PATH ?? env.env.Path ?? '').split(env.platform === 'win32' ? ';' : delimiter).filter(Boolean);
  const exts = env.platform === 'win32' ? (env.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) for (const ext of exts) if (env.exists(join(dir, command + ext))) return join(dir, command + ext);
  return undefined;
}

type Notifier = { ok: true; command: string; args: (m: Message) => string[]; env?: (m: Message) => Record<string, string> } | { ok: false; reason: string };

const TOAST = [
  '[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] > $null',
  '$t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)',
  '$x = $t.GetElementsByTagName("text"); $x.Item(0).AppendChild($t.CreateTextNode($env:DEVFLOW_TITLE)) > $null; $x.Item(1).AppendChild($t.CreateTextNode($env:DEVFLOW_BODY)) > $null',
  '[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier("DevFlow").Show([Windows.UI.Notifications.ToastNotification]::new($t))',
].join('; ');

/** Which notifier this machine offers. Title and body go as arguments or environment, never through a shell. */
export function detectNotifier(env: ChannelEnv): Notifier {
  if (env.platform === 'linux' || env.platform === 'freebsd' || env.platform === 'openbsd') {
    const cmd = findOnPath('notify-send', env);
    if (!cmd) return { ok: false, reason: 'notify-send is not installed (install libnotify-bin / libnotify)' };
    if (!env.env.DISPLAY && !env.env.WAYLAND_DISPLAY && !env.env.DBUS_SESSION_BUS_ADDRESS) return { ok: false, reason: 'no graphical session (DISPLAY, WAYLAND_DISPLAY and DBUS_SESSION_BUS_ADDRESS are unset)' };
    const urgency = { info: 'low', warn: 'normal', error: 'critical' } as const;
    return { ok: true, command: cmd, args: (m) => ['-a', 'DevFlow', '-u', urgency[m.severity], '--', m.title, m.body] };
  }
  if (env.platform === 'darwin') {
    const cmd = env.exists('/usr/bin/osascript') ? '/usr/bin/osascript' : findOnPath('osascript', env);
    if (!cmd) return { ok: false, reason: 'osascript was not found' };
    return { ok: true, command: cmd, args: (m) => ['-e', 'on run argv', '-e', 'display notification (item 2 of argv) with title "DevFlow" subtitle (item 1 of argv)', '-e', 'end run', m.title, m.body || ' '] };
  }
  if (env.platform === 'win32') {
    const cmd = findOnPath('powershell', env) ?? findOnPath('pwsh', env);
    if (!cmd) return { ok: false, reason: 'PowerShell was not found on PATH' };
    return { ok: true, command: cmd, args: () => ['-NoProfile', '-NonInteractive', '-Command', TOAST], env: (m) => ({ DEVFLOW_TITLE: m.title, DEVFLOW_BODY: m.body }) };
  }
  return { ok: false, reason: `no desktop notifier is known for platform ${env.platform}` };
}

export function desktopChannel(name: string, _c: ChannelConfig, env: ChannelEnv): Channel {
  let notifier: Notifier | undefined;
  const get = () => (notifier ??= detectNotifier(env));
  return {
    name,
    type: 'desktop',
    get target() {
      const n = get();
      return n.ok ? n.command : '(unavailable)';
    },
    availability: () => {
      const n = get();
      return n.ok ? { ok: true } : { ok: false, reason: `desktop notifications unavailable: ${n.reason}` };
    },
    async send(m) {
      const n = get();
      if (!n.ok) return { ok: false, attempts: 0, reason: `desktop notifications unavailable: ${n.reason}` };
      const body = m.items ? [m.body, ...m.items.slice(0, 5).map((i) => `• ${i.title}`)].filter(Boolean).join('\n') : m.body;
      const msg = { ...m, title: m.title.slice(0, 200), body: body.slice(0, 500) };
      const r = await env.run(n.command, n.args(msg), { ...(n.env ? { env: n.env(msg) } : {}), timeoutMs: 10_000 });
      return r.code === 0 ? { ok: true, attempts: 1 } : { ok: false, attempts: 1, reason: `${n.command} failed${r.error ? `: ${r.error}` : ` with exit code ${r.code}`}` };
    },
  };
}
