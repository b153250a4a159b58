import { Flags } from '@oclif/core';
import type { LoadedConfig } from '../config/load.js';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { loopbackAddress } from '../ui/loopback.js';

export default class Ui extends BaseCommand {
  static override summary = 'Serve a status page of every service on a loopback port, with charts, a live log tail and restart, reload and stop buttons.';
  static override description = [
    'The page shows what svc monit shows: services grouped by project with state, pids, uptime, restarts, CPU, memory and',
    'health; per service a memory and a CPU chart over the last hour (kept by the daemon, then extended every 2 s); the',
    "selected service's output (stderr marked) and supervisor events as they come; and Restart, Reload and Stop buttons that",
    'act as the commands of the same name do. Every action is recorded first in the service\'s event log as a `requested`',
    'event naming svc ui and the address that asked (svc logs <name> --events). It prints one line, the URL with a token',
    '(32 random bytes, new each run), and serves until SIGINT or SIGTERM. Only a loopback address is served. Nothing answers',
    'without the token: the URL sets an HttpOnly, SameSite=Strict cookie that the page uses after; the Host header must',
    'name this server, a request from another Origin is refused (403), there are no CORS headers, and every answer carries a',
    'Content-Security-Policy that allows nothing but the page itself. With --json: { url, port, token } as one line. When the',
    'daemon exits (it does once it runs nothing), the page says so and follows the next one.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> ui',
    '<%= config.bin %> ui --port 7777',
    '<%= config.bin %> ui --json   # { "url": "http://127.0.0.1:…/?token=…", "port": …, "token": "…" }',
  ];
  static override flags = {
    port: Flags.integer({ description: 'the port to serve on (default: 0, a free port)', default: 0, min: 0, max: 65_535 }),
    host: Flags.string({ description: 'the loopback address to serve on: 127.0.0.1 (or another 127.x.y.z), ::1 or localhost', default: '127.0.0.1' }),
  };

  /** Actions read each config anew, so an edit applies as it does to a command. */
  override loadConfig(file?: string, options: { fresh?: boolean; keepCopy?: boolean } = {}): Promise<LoadedConfig> {
    return super.loadConfig(file, { ...options, fresh: true });
  }

  async run(): Promise<undefined> {
    const { flags } = await this.parse(Ui);
    const address = loopbackAddress(flags.host);
    if (address === null) {
      throw new CliError('EUSAGE', `--host must be a loopback address (127.0.0.1, ::1 or localhost), got ${flags.host}: the page controls this user's services, so it is served to this machine only (from another one, use an SSH tunnel: ssh -L)`);
    }
    // Loaded only here: no other command pays for the server.
    const { startUi } = await import('../ui/server.js');
    const ui = await startUi({ command: this, address, port: flags.port });
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ url: ui.url, port: ui.port, token: ui.token })}\n`);
    else this.log(`svc ui: ${ui.url}`);
    await new Promise<void>((resolve) => {
      // The first signal closes the server; a second one ends the process at once (the default).
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await ui.close();
    return undefined;
  }
}
