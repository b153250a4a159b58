import type { LoadedConfig } from '../config/load.js';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { KEY_HELP } from '../monit/keys.js';
import { useColour } from '../output.js';
import { findProject } from '../project.js';

export const NOT_A_TERMINAL = 'svc monit needs a terminal (here its output or input is not one): svc status shows every service, svc logs -f follows their logs';

/** Text as lines of at most 115 characters, as the other descriptions are written. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 115) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

export default class Monit extends BaseCommand {
  static override summary = 'A live, full-screen view of every service of every project, with keys to restart, reload, stop, start and scale them.';
  static override description = [
    'Per service (and per instance): state, pid, uptime, restarts, CPU and memory with their recent history, and health;',
    "under the list, the selected service's output (stdout and stderr in the order svc received the lines, stderr marked",
    'err) and its supervisor events (svc). State changes come from the daemon as they happen; the numbers every 2 s.',
    'A key acts as the command of the same name does (a config service is restarted, reloaded or started as its config',
    'says now) and the line above the help says how it went. When the daemon exits (it does once it runs nothing), the',
    'view says so and follows the next one. Colour is off with NO_COLOR or TERM=dumb. Without a terminal it exits 2.',
    '',
    ...wrap(`Keys: ${KEY_HELP.map(([keys, does]) => `${keys} ${does}`).join('; ')}.`),
  ].join('\n');
  static override examples = ['<%= config.bin %> monit', '<%= config.bin %> monit --config ./svc.config.yaml   # this project alone at first (p shows the others)'];

  /** The view runs long and acts on many projects: each config is read anew, so an edit applies as it does to a command. */
  override loadConfig(file?: string, options: { fresh?: boolean; keepCopy?: boolean } = {}): Promise<LoadedConfig> {
    return super.loadConfig(file, { ...options, fresh: true });
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Monit);
    if (this.jsonEnabled()) throw new CliError('EUSAGE', 'svc monit is a terminal view: svc status --json gives every service as JSON, svc logs -f --json their lines');
    if (!process.stdout.isTTY || !process.stdin.isTTY) throw new CliError('EUSAGE', NOT_A_TERMINAL);
    // Loaded only here: no other command pays for the view.
    const { runMonit } = await import('../monit/view.js');
    await runMonit({
      command: this,
      input: process.stdin,
      output: process.stdout,
      colour: useColour(process.stdout) && process.env.TERM !== 'dumb',
      project: flags.config === undefined ? null : findProject(flags.config).project,
    });
  }
}
