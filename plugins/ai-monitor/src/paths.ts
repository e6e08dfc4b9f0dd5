import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { TranscriptTool } from './config.js';

/** `~` and `~/x` → the home directory; anything else resolved to an absolute path. */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(home, p.slice(2));
  return isAbsolute(p) ? p : resolve(p);
}

/**
 * The documented transcript roots of each tool, honouring the tools' own environment variables:
 * Claude Code `$CLAUDE_CONFIG_DIR/projects` (else `~/.claude/projects` and the newer
 * `~/.config/claude/projects`), Codex `$CODEX_HOME/sessions` (else `~/.codex/sessions`),
 * Gemini `~/.gemini/tmp`, Qwen `~/.qwen/projects`.
 */
export function defaultRoots(tool: TranscriptTool, env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  switch (tool) {
    case 'claude': {
      const dirs = env.CLAUDE_CONFIG_DIR?.split(',').map((d) => d.trim()).filter(Boolean) ?? [];
      if (dirs.length) return dirs.map((d) => join(expandHome(d, home), 'projects'));
      return [join(home, '.claude', 'projects'), join(home, '.config', 'claude', 'projects')];
    }
    case 'codex':
      return [join(env.CODEX_HOME ? expandHome(env.CODEX_HOME, home) : join(home, '.codex'), 'sessions')];
    case 'gemini':
      return [join(home, '.gemini', 'tmp')];
    case 'qwen':
      return [join(home, '.qwen', 'projects')];
  }
}

/** Roots for one tool: the configured ones (expanded), or the defaults when none are configured. */
export function rootsFor(tool: TranscriptTool, configured: readonly string[], env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  const roots = configured.length ? configured.map((p) => expandHome(p, home)) : defaultRoots(tool, env, home);
  return [...new Set(roots)];
}

/** Gemini CLI names a project's directory by the SHA-256 of its absolute path. */
export function geminiProjectHash(root: string): string {
  return createHash('sha256').update(root).digest('hex');
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Matches a session's working directory (or Gemini project hash) to a configured project root:
 * the deepest root that is the directory or one of its parents, comparing both the configured and
 * the symlink-resolved spelling of each root.
 */
export class ProjectMatcher {
  private key = '';
  private roots: { root: string; spellings: string[]; hashes: Set<string> }[] = [];

  constructor(private readonly projects: () => readonly string[]) {}

  private refresh(): void {
    const list = this.projects();
    const key = list.join('\0');
    if (key === this.key) return;
    this.key = key;
    this.roots = list
      .map((root) => {
        const spellings = [...new Set([root, real(root)])].map((s) => (s.length > 1 && s.endsWith(sep) ? s.slice(0, -1) : s));
        return { root, spellings, hashes: new Set(spellings.map(geminiProjectHash)) };
      })
      .sort((a, b) => b.root.length - a.root.length);
  }

  /** The project root a working directory belongs to, or null. */
  forCwd(cwd: string | null | undefined): string | null {
    if (!cwd) return null;
    this.refresh();
    for (const r of this.roots) {
      for (const s of r.spellings) if (cwd === s || cwd.startsWith(s.endsWith(sep) ? s : s + sep)) return r.root;
    }
    return null;
  }

  /** The project root whose Gemini hash this is, or null. */
  forGeminiHash(hash: string | null | undefined): string | null {
    if (!hash) return null;
    this.refresh();
    for (const r of this.roots) if (r.hashes.has(hash)) return r.root;
    return null;
  }

  resolve(cwd: string | null | undefined, projectHash: string | null | undefined): string | null {
    return this.forCwd(cwd) ?? this.forGeminiHash(projectHash);
  }
}
