import { restartDaemon, type DaemonRestart } from '@svc/supervisor/client';
import { BaseCommand } from '../../base-command.js';
import { clientOptions } from '../../daemon.js';
import { CliError } from '../../errors.js';
import { withSpinner } from '../../output.js';

export default class DaemonRestartCommand extends BaseCommand {
  static override summary = "Restart the daemon on this svc's version, starting its services again on the new one.";
  static override description = [
    'What to run when svc says the daemon is of another version: the running daemon (of any version) says what it',
    'runs and how, stops it all gracefully, and a daemon of this version starts each service again with the same',
    'definition and environment. Each service restarts once.',
  ].join('\n');
  static override examples = ['<%= config.bin %> daemon restart'];

  async run(): Promise<DaemonRestart> {
    await this.parse(DaemonRestartCommand);
    const result = await withSpinner('restarting the daemon', () => restartDaemon(clientOptions()));
    if (!this.jsonEnabled()) {
      this.log(`svc daemon ${result.to.version} (pid ${result.to.pid})${result.from ? ` replaced ${result.from.version} (pid ${result.from.pid})` : ''}: ${result.started.length} service${result.started.length === 1 ? '' : 's'} started again`);
    }
    if (result.failed.length > 0) {
      throw new CliError('ESTART_FAILED', `${result.failed.length} service${result.failed.length === 1 ? '' : 's'} did not start on the new daemon`, {
        details: result.failed.map((f) => `  ${f.project.config ?? 'adhoc'} ${f.service}: ${f.error}`),
      });
    }
    return result;
  }
}
