/*
 * Bad usage, one way everywhere: exit 2, and with `--json` exactly one `{ "error": { "code":
 * "EUSAGE", … } }` on stdout and nothing on stderr; without it, two lines on stderr (what is wrong,
 * where the help is), never oclif's internals. bin/run.js loads this (dist/usage.js) for a command
 * it does not know; BaseCommand for everything its parser or its commands refuse.
 */

/** `svc start all` / `svc stop all` mean `--all` (PM2's habit), so no service may be named this. */
export const ALL = 'all';

/** What an oclif parse error says, without its "See more help" line, on one line. */
export function usageMessage(error: Error): string {
  const lines = error.message
    .split('\n')
    .map((l) => l.replace(/^\s*›?\s*/, '').trim())
    .filter((l) => l.length > 0 && !/^See more help with --help$/.test(l));
  return lines.join(' ').replace(/:\s+/g, ': ');
}

/** PM2 commands svc has no command for, and what to run instead. */
export const PM2_COMMANDS: Record<string, string> = {
  save: 'svc has no process list to save: `svc install <name>` starts a service at login (or boot, with --linger) from its config',
  resurrect: 'svc has no saved process list: `svc start --all` starts every service of the config found from here',
  startup: 'svc install <name> writes and enables the unit that starts your services at login (or boot, with --linger)',
  unstartup: 'svc uninstall <name> takes a service off the unit svc install wrote',
  dashboard: 'svc ui serves a local status page of every service (svc monit is the same view in the terminal)',
  flush: 'svc logs --flush [name] empties the logs of a service (of every service of the project without a name)',
  kill: 'svc daemon stop stops every service gracefully, then the daemon',
  ecosystem: 'svc init writes a starter svc.config.yaml',
};

/** What to print for a command svc does not have (exit 2). */
export function unknownCommand(command: string, json: boolean): { stdout: string; stderr: string; exitCode: 2 } {
  const hint = Object.hasOwn(PM2_COMMANDS, command) ? PM2_COMMANDS[command]! : 'svc --help lists every command';
  const message = `command ${command.replaceAll(':', ' ')} not found`;
  if (json) return { stdout: `${JSON.stringify({ error: { code: 'EUSAGE', message, hint } }, null, 2)}\n`, stderr: '', exitCode: 2 };
  return { stdout: '', stderr: `Error: ${message}\n${hint}\n`, exitCode: 2 };
}
