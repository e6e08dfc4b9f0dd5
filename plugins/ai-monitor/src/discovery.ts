import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { TranscriptTool } from './config.js';

/** How each tool lays out its transcripts under its root. */
interface Layout {
  /** Depths (1 = directly in the root) at which transcript files sit. */
  depths: readonly number[];
  file: RegExp;
  /** Directory names on the way down that may be followed at each depth (undefined = any). */
  dirs?: readonly (RegExp | undefined)[];
  /** Whole-file JSON rewritten in place (Gemini) rather than an append-only JSONL. */
  json: boolean;
}

export const LAYOUTS: Readonly<Record<TranscriptTool, Layout>> = {
  // <root>/<cwd-with-dashes>/<sessionId>.jsonl, sub-agents in <root>/<cwd>/<sessionId>/subagents/*.jsonl
  claude: { depths: [2, 4], file: /\.jsonl$/, dirs: [undefined, undefined, /^subagents$/], json: false },
  // <root>/YYYY/MM/DD/rollout-*.jsonl
  codex: { depths: [4], file: /^rollout-.*\.jsonl$/, dirs: [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/], json: false },
  // <root>/<projectHash>/chats/session-*.json
  gemini: { depths: [3], file: /^session-.*\.json$/, dirs: [undefined, /^chats$/], json: true },
  // <root>/<cwd>/chats/<sessionId>.jsonl
  qwen: { depths: [3], file: /\.jsonl$/, dirs: [undefined, /^chats$/], json: false },
};

export function isTranscriptName(tool: TranscriptTool, path: string): boolean {
  return LAYOUTS[tool].file.test(basename(path));
}

/**
 * Every transcript file under `root` laid out as `tool` lays them out (symlinks are not followed).
 * A missing root yields nothing; other errors go to `onError` and the walk goes on.
 */
export async function discover(tool: TranscriptTool, root: string, onError: (path: string, e: unknown) => void, limit = 200_000): Promise<string[]> {
  const layout = LAYOUTS[tool];
  const maxDepth = Math.max(...layout.depths);
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') onError(dir, e);
      return;
    }
    for (const entry of entries) {
      if (out.length >= limit) return;
      const path = join(dir, entry.name);
      if (entry.isFile() && layout.depths.includes(depth) && layout.file.test(entry.name)) out.push(path);
      else if (entry.isDirectory() && depth < maxDepth) {
        const rule = layout.dirs?.[depth - 1];
        if (!rule || rule.test(entry.name)) await walk(path, depth + 1);
      }
    }
  };
  await walk(root, 1);
  return out;
}

/** The transcript files directly in `dir` (to notice a new session next to an active one). */
export async function listDir(tool: TranscriptTool, dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && LAYOUTS[tool].file.test(e.name)).map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}
