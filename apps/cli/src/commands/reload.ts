import { Args } from '@oclif/core';
import type { InstanceStats, ReloadResult } from '@svc/supervisor';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import { withSpinner } from '../output.js';
import { toServiceDefinition } from '../service-options.js';
import { connectConfigDaemon, requireService } from '../target.js';
import { CONTROL_TIMEOUT_MS } from '../wait.js';

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

  async run(): Promise<ReloadResult & { stats: InstanceStats[] }> {
    const { args, flags } = await this.parse(Reload);
    const name = args.name;
    const config = await this.loadConfig(flags.config);
    requireService(config, name);
    const definition = toServiceDefinition(config.services[name]!);
    const { client } = await connectConfigDaemon(config);
    if (!client) throw new CliError('ENOT_RUNNING', `${name} is not running (start it with: svc start ${name})`);
    let result: ReloadResult & { stats: InstanceStats[] };
    try {
      result = (await withSpinner(`reloading ${name}`, () =>
        client.call('reload', { service: name, definition }, { timeoutMs: CONTROL_TIMEOUT_MS }),
      )) as ReloadResult & { stats: InstanceStats[] };
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
      await client.close();
    }
    if (result.warning) this.warn(result.warning);
    if (!this.jsonEnabled()) {
      const pids = result.stats.map((s) => s.pid ?? '-').join(', ');
      this.log(
        result.mode === 'reload'
          ? `${name} reloaded: ${result.replaced} instance${result.replaced === 1 ? '' : 's'} replaced (pid ${pids})`
          : `${name} restarted (pid ${pids})`,
      );
    }
    return result;
  }
}
