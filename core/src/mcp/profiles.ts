import type { ToolInfo } from '../tools/tool-registry.js';

/** Most tools the default profile holds: each tool costs an assistant context on every turn. */
export const DEFAULT_PROFILE_LIMIT = 15;

/**
 * Which tools an MCP session sees:
 * - `default`: the tools marked `everyday` (at most 15, first by plugin start order then name);
 * - `all`: every tool;
 * - a name from the config's `mcp.profiles`: a list of group names, tool names, and `default`;
 * - or, from `--tools a,b`, such a list directly.
 * Tools outside the profile can still be called by name; the profile only shapes `tools/list`.
 */
export type ProfileSpec = { kind: 'default' } | { kind: 'all' } | { kind: 'list'; name: string; items: readonly string[] };

export function resolveProfile(name: string | undefined, tools: string | undefined, profiles: Readonly<Record<string, readonly string[]>>): ProfileSpec | string {
  if (tools !== undefined) return { kind: 'list', name: '--tools', items: tools.split(',').map((s) => s.trim()).filter(Boolean) };
  const profile = name ?? 'default';
  if (profiles[profile]) return { kind: 'list', name: profile, items: profiles[profile] as readonly string[] };
  if (profile === 'default') return { kind: 'default' };
  if (profile === 'all') return { kind: 'all' };
  return `unknown tool profile "${profile}"; use default, all${Object.keys(profiles).length ? `, ${Object.keys(profiles).join(', ')}` : ''} or --tools <groups or tools>`;
}

export function groupOf(t: ToolInfo): string {
  return t.group ?? t.plugin;
}

export function selectTools(tools: readonly ToolInfo[], spec: ProfileSpec): ToolInfo[] {
  if (spec.kind === 'all') return [...tools];
  const everyday = tools.filter((t) => t.everyday).slice(0, DEFAULT_PROFILE_LIMIT);
  if (spec.kind === 'default') return everyday;
  const wanted = new Set(spec.items);
  // By tool name or group (a tool without a group is in its plugin's): `admin` is the admin group,
  // not every tool of the plugin that happens to be called admin.
  const picked = tools.filter((t) => wanted.has(t.name) || wanted.has(groupOf(t)));
  if (wanted.has('default')) for (const t of everyday) if (!picked.includes(t)) picked.push(t);
  return picked;
}
