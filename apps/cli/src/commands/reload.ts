import { Args } from '@oclif/core';
import type { DaemonRow, ReloadResult } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { CONTROL_TIMEOUT_MS } from '../daemon.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
import { currentSpec, hostedTarget } from '../target.js';

export default class Reload extends BaseCommand {
  static override summary = "Replace a service's instances one by one without refusing a connection.";
  static override description = [
    'Reads the config again, then for each instance in turn starts a replacement, waits until it is ready, and',
    'stops the old one gracefully. The socket (listen) stays open throughout, so no connection is refused.',
    'If a replacement does not become ready, the reload stops there, the old instances keep serving, and the',
    "replacement's last stderr lines are printed (exit 1). A service without listen is restarted instead, with a",
    'warning. A changed instances count is applied after the replacement; a changed listen needs stop + start.',
  ].join('\n');
  static override examples = ['<%= config.bin %> reload api', '<%= config.bin %> reload api --json'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };

  async run(): Promise<ReloadResult & { rows: DaemonRow[] }> {
    const { args, flags } = await this.parse(Reload);
    const name = args.name;
    const { connection, project } = await hostedTarget(flags.config, name);
    let result: ReloadResult & { rows: DaemonRow[] };
    try {
      const spec = await currentSpec(this, flags.config, project, name);
      result = await withSpinner(`reloading ${name}`, () => connection.client.call('reload', { project, service: name, ...spec }, { timeoutMs: CONTROL_TIMEOUT_MS }));
    } catch (error) {
      const { code, data } = error as { code?: string; data?: { stderrTail?: unknown } };
      if (code === 'ERELOAD_FAILED') {
        const tail = Array.isArray(data?.stderrTail) ? data.stderrTail.map((l) => `  ${String(l)}`) : [];
        throw new CliError('ERELOAD_FAILED', (error as Error).message, {
          cause: error,
          details: tail.length ? [`last lines of the replacement's stderr:`, ...tail] : [],
        });
      }
      throw error;
    } finally {
      await connection.close();
    }
    if (result.warning) this.warn(result.warning);
    if (!this.jsonEnabled()) {
      const pids = result.rows.map((s) => s.pid ?? '-').join(', ');
      this.log(
        result.mode === 'reload'
          ? `${name} reloaded: ${result.replaced} instance${result.replaced === 1 ? '' : 's'} replaced (pid ${pids})`
          : `${name} restarted (pid ${pids})`,
      );
    }
    return result;
  }
}
