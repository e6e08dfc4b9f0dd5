import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { ConfigSource } from '../../config/source.js';
import { messageOf } from '../../errors.js';
import { claudeDesktopConfigPath, clientEntry } from '../../cli/init-cmd.js';
import { fail, ok, warn, type Finding } from './finding.js';

interface ServerEntry {
  command?: unknown;
  args?: unknown;
}

const executable = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Claude Desktop's config: found, valid JSON, a devflow entry whose command and script exist. */
export function checkClaudeDesktop(env: NodeJS.ProcessEnv = process.env, platform = process.platform): Finding {
  const check = 'claude-desktop';
  const file = claudeDesktopConfigPath(platform, env);
  const entry = clientEntry(env);
  const wanted = JSON.stringify({ command: entry.command, args: entry.args });
  if (!existsSync(file)) return warn(check, `no Claude Desktop config at ${file} (not installed, or never configured)`, `devflow init prints the entry; put it under "mcpServers" in ${file}`);
  let source: ConfigSource;
  try {
    source = new ConfigSource(file, readFileSync(file, 'utf8'));
  } catch (e) {
    return fail(check, `cannot read ${file}: ${messageOf(e)}`, `check the permissions of ${file}`);
  }
  if (source.syntaxErrors.length) return fail(check, source.syntaxErrors[0]?.detail ?? `${file} is not valid JSON`, `fix the JSON in ${file}`);
  const servers = (source.value as { mcpServers?: unknown }).mcpServers;
  if (servers === undefined) return warn(check, `${file} has no "mcpServers"`, `add "mcpServers": { "devflow": ${wanted} } to ${file}`);
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) return fail(check, `"mcpServers" in ${file} is not an object`, `make it { "devflow": ${wanted} }`);
  const found = Object.entries(servers as Record<string, ServerEntry>).filter(([name, s]) => {
    const args = Array.isArray(s?.args) ? s.args.map(String) : [];
    return name === 'devflow' || args.some((a) => basename(a) === 'devflow.js') || (typeof s?.command === 'string' && basename(s.command) === 'devflow');
  });
  if (!found.length) return warn(check, `${file} has no devflow entry in "mcpServers"`, `add "devflow": ${wanted} under "mcpServers" in ${file}, then restart Claude Desktop`);
  const [name, s] = found[0] as [string, ServerEntry];
  const where = `mcpServers.${name} in ${file}`;
  const fix = `set ${where} to ${wanted}, then restart Claude Desktop`;
  if (typeof s.command !== 'string' || !s.command) return fail(check, `${where} has no "command"`, fix);
  if (!isAbsolute(s.command)) return warn(check, `${where} runs "${s.command}" by name; Claude Desktop starts servers with a minimal PATH`, fix);
  if (!executable(s.command)) return fail(check, `${where} runs ${s.command}, which ${existsSync(s.command) ? 'is not executable' : 'does not exist'}`, fix);
  const args = Array.isArray(s.args) ? s.args.map(String) : [];
  const script = args.find((a) => basename(a) === 'devflow.js');
  if (script !== undefined && !existsSync(script)) return fail(check, `${where} points at ${script}, which does not exist (moved or deleted installation)`, fix);
  if (!args.includes('mcp')) return fail(check, `${where} does not pass "mcp" (args: ${JSON.stringify(args)})`, fix);
  return ok(check, `${where}: ${[s.command, ...args].join(' ')}`);
}
