import { Command, CommanderError } from 'commander';
import { KERNEL_VERSION } from '../version.js';
import type { GlobalOptions } from './common.js';
import { CliExit } from './cli-exit.js';
import { EXIT } from './exit-codes.js';

const EXIT_HELP = `
Exit codes:
  0   success
  1   plugin problems (with --fail-fast, or when nothing could run; a check that found problems)
  2   bad command line
  78  the config file is missing, malformed or invalid

Environment:
  DEVFLOW_HOME    one directory for config and data (default: XDG config and data dirs)
  DEVFLOW_CONFIG  config file to use (like --config)`;

function program(): Command {
  const root = new Command('devflow')
    .description('DevFlow Monitor: watch how software gets made; serve it to AI assistants over MCP.')
    .version(KERNEL_VERSION, '-v, --version')
    .option('-c, --config <file>', 'config file (default: ./devflow.config.json, then the user config)')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals() as GlobalOptions;
  const run = async (fn: () => Promise<number>): Promise<void> => {
    process.exitCode = await fn();
  };

  root
    .command('start')
    .description('run the kernel in the foreground with the configured plugins')
    .option('--fail-fast', 'exit with code 1 if any plugin has a problem')
    .action((opts, cmd: Command) => run(async () => (await import('./start.js')).startCommand({ ...globals(cmd), ...opts })));

  root
    .command('call <tool> [args...]')
    .description('call a tool as the local user: args are key=value (values parsed as JSON when they can be); prints the JSON result')
    .option('--json-args <json>', 'arguments as one JSON object')
    .option('--role <role>', 'call with this role instead of rbac.localRole')
    .action((tool: string, args: string[], opts, cmd: Command) => run(async () => (await import('./call-cmd.js')).callCommand(tool, args, { ...globals(cmd), ...opts })));

  root
    .command('report')
    .description('render a daily, weekly or sprint report (Markdown, self-contained HTML or JSON) to stdout or a file')
    .option('--period <period>', 'day, week or sprint', 'week')
    .option('--format <format>', 'markdown, html or json', 'markdown')
    .option('--project <dir>', 'one project (default: all projects)')
    .option('--end <time>', 'a date or time inside the period to report (default: now), e.g. 2026-11-20 or 7d')
    .option('--weeks <n>', 'with --period week: this many weeks, ending with the one containing --end (1-26)')
    .option('--out <file>', 'write the report to this file instead of stdout')
    .action((opts, cmd: Command) => run(async () => (await import('./report-cmd.js')).reportCommand({ ...globals(cmd), ...opts })));

  root
    .command('dashboard')
    .description('live terminal view of activity, performance and errors (keys: q quit, 1/2/3 or a/p/e views, r refresh); one plain frame when not on a terminal')
    .option('--view <view>', 'activity, performance or errors', 'activity')
    .option('--once', 'print one plain frame (no escape codes) and exit')
    .option('--interval <ms>', 'refresh interval in milliseconds (100-3600000)', '1000')
    .action((opts, cmd: Command) => run(async () => (await import('./dashboard-cmd.js')).dashboardCommand({ ...globals(cmd), ...opts })));

  root
    .command('init')
    .description('create the user config for the current git repository and print the Claude Desktop entry')
    .option('--project <dir>', 'project directory (default: the git repository of the current directory)')
    .action((opts, cmd: Command) => run(async () => (await import('./init-cmd.js')).initCommand({ ...globals(cmd), ...opts })));

  root
    .command('mcp')
    .description('serve MCP to AI clients: over stdio (what Claude Desktop launches) or Streamable HTTP with --http')
    .option('--http', 'serve Streamable HTTP at /mcp instead of stdio')
    .option('--port <n>', 'HTTP port (default: config mcp.http.port, 3777; 0 picks a free one)')
    .option('--host <host>', 'HTTP address to bind (default 127.0.0.1; anything else needs mcp.http.tokens)')
    .option('--profile <name>', 'tool profile: default, all, or a name from config mcp.profiles')
    .option('--tools <list>', 'comma-separated tool groups or tool names to expose instead of a profile')
    .option('--role <role>', 'role of the local user for this session (default: config rbac.localRole)')
    .action((opts, cmd: Command) => run(async () => (await import('./mcp-cmd.js')).mcpCommand({ ...globals(cmd), ...opts })));

  root
    .command('run')
    .argument('<command...>', 'the command and its arguments (put -- before it: devflow run -- npm test --silent)')
    .description("run a command (tests, build, deploy) with its output and exit code passed through, and record it (needs the test-monitor plugin)")
    .option('--kind <kind>', 'record it as test, build, deploy or other, whatever the configured patterns say')
    .allowUnknownOption()
    .allowExcessArguments()
    .action((_command: string[], _opts, cmd: Command) => run(async () => {
      const { runArgsOf, runCmd } = await import('./run-cmd.js');
      return runCmd(runArgsOf(cmd), globals(cmd));
    }));

  const plugins = root.command('plugins').description('list, enable and disable plugins');
  plugins
    .command('list')
    .description('every configured plugin: id, version, state, reason')
    .option('--json', 'machine-readable output')
    .action((_, cmd: Command) => run(async () => (await import('./plugins-cmd.js')).listCommand(globals(cmd))));
  plugins
    .command('enable <id>')
    .description('enable a plugin in the config file (a running kernel applies it live)')
    .action((id: string, _, cmd: Command) => run(async () => (await import('./plugins-cmd.js')).setEnabledCommand(id, true, globals(cmd))));
  plugins
    .command('disable <id>')
    .description('disable a plugin in the config file (its dependents stop too)')
    .action((id: string, _, cmd: Command) => run(async () => (await import('./plugins-cmd.js')).setEnabledCommand(id, false, globals(cmd))));

  const config = root.command('config').description('check the config file');
  config
    .command('validate')
    .description('check the config and every plugin without starting anything; exits non-zero listing every problem')
    .option('--json', 'machine-readable output')
    .action((_, cmd: Command) => run(async () => (await import('./config-cmd.js')).validateCommand(globals(cmd))));

  root
    .command('status')
    .description('version, config, database, monitor lease and plugin states')
    .option('--json', 'machine-readable output')
    .action((_, cmd: Command) => run(async () => (await import('./status-cmd.js')).statusCommand(globals(cmd))));

  root
    .command('doctor')
    .description('check the kernel, port, database, data dir, disk, inotify limits, plugins and Claude Desktop config; each finding with its fix (exit 1 when one fails)')
    .option('--full', 'run PRAGMA integrity_check instead of quick_check')
    .option('--json', 'machine-readable output')
    .action((opts, cmd: Command) => run(async () => (await import('./doctor-cmd.js')).doctorCommand({ ...globals(cmd), ...opts })));

  root
    .command('backup [path]')
    .description('online backup of the database (consistent while a kernel writes), verified; default <data dir>/backups/devflow-<timestamp>.db')
    .option('--json', 'machine-readable output')
    .action((path: string | undefined, _, cmd: Command) => run(async () => (await import('./backup-cmd.js')).backupCommand(path, globals(cmd))));

  root
    .command('restore <file>')
    .description('verify a backup and swap it in for the database (the current one is kept as <db>.before-restore-<timestamp>)')
    .option('--force', 'stop the running kernel (SIGTERM) instead of refusing')
    .option('--json', 'machine-readable output')
    .action((file: string, opts, cmd: Command) => run(async () => (await import('./restore-cmd.js')).restoreCommand(file, { ...globals(cmd), ...opts })));

  root
    .command('maintenance')
    .description('archive old events (storage.retention), ANALYZE, VACUUM, checkpoint the WAL; all of them unless some are named')
    .option('--archive', 'move events older than storage.retention.archiveAfterDays to the archive database')
    .option('--analyze', 'refresh the query planner statistics')
    .option('--vacuum', 'rebuild the file to give free pages back (needs about twice its size free)')
    .option('--checkpoint', 'write the WAL back into the database and truncate it')
    .option('--older-than <days>', 'archive events older than this many days instead of the configured age')
    .option('--json', 'machine-readable output')
    .action((opts, cmd: Command) => run(async () => (await import('./maintenance-cmd.js')).maintenanceCommand({ ...globals(cmd), ...opts })));

  root
    .command('migrate <action>')
    .description('database migrations per plugin: status (applied vs known), up (apply pending), down --plugin <id> --to <n> (revert; backs up first)')
    .option('--plugin <id>', 'one plugin (or kernel)')
    .option('--to <n>', 'target version (up: apply up to it; down: revert everything above it)')
    .option('--force', 'down: go ahead although a kernel is running')
    .option('--json', 'machine-readable output')
    .action((action: string, opts, cmd: Command) => run(async () => (await import('./migrate-cmd.js')).migrateCommand(action, { ...globals(cmd), ...opts })));

  for (const cmd of [root, ...root.commands, ...plugins.commands, ...config.commands]) cmd.exitOverride();
  return root;
}

/** Run the CLI; resolves with the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    if (e instanceof CliExit) {
      if (e.lines.length) process.stderr.write(`${e.lines.join('\n')}\n`);
      return e.code;
    }
    process.stderr.write(`devflow: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.PROBLEMS;
  }
}
