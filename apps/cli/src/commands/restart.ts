import { Args } from '@oclif/core';
import type { DaemonRow } from '@svc/supervisor/client';
import { dependentsOf, withDependencies } from '@svc/supervisor/definition';
import { BaseCommand } from '../base-command.js';
import { CONTROL_TIMEOUT_MS } from '../daemon.js';
import { withSpinner } from '../output.js';
import { currentSpec, hostedTarget } from '../target.js';

export default class Restart extends BaseCommand {
  static override summary = 'Stop and start a service, as its config says now; with listen, its socket stays open.';
  static override description = [
    "A config service is restarted with the config as it is now (an edited file applies; an invalid one changes",
    'nothing) and this environment; an ad-hoc service as it was started. With listen, the socket stays open and',
    'connections wait in its backlog instead of being refused. Services that depend on it with',
    '`dependsOn: { <it>: { restart: true } }` are restarted after it (those that run), in dependency order.',
  ].join('\n');
  static override examples = ['<%= config.bin %> restart api'];
  static override args = { name: Args.string({ required: true, description: 'service name' }) };

  async run(): Promise<DaemonRow[]> {
    const { args, flags } = await this.parse(Restart);
    const { connection, project } = await hostedTarget(flags.config, args.name);
    try {
      const spec = await currentSpec(this, flags.config, project, args.name);
      const rows = await withSpinner(`restarting ${args.name}`, () =>
        connection.client.call('restart', { project, service: args.name, ...spec }, { timeoutMs: CONTROL_TIMEOUT_MS }),
      );
      if (!this.jsonEnabled()) this.log(`${args.name} restarted (pid ${rows.map((s) => s.pid ?? '-').join(', ')})`);
      if (project.config === null) return rows;
      // Those that asked to follow it (compose's depends_on.restart), dependencies before dependents.
      const services = (await this.loadConfig(flags.config ?? project.config)).services;
      const following = dependentsOf(services, args.name, (d) => d.restart);
      for (const name of withDependencies(services, following).filter((n) => following.includes(n))) {
        const hosted = await connection.client.call('status', { project: project.id, service: name });
        const state = hosted[0]?.service?.state ?? hosted[0]?.state;
        if (state !== 'running' && state !== 'starting' && state !== 'backoff') continue;
        const next = await withSpinner(`restarting ${name}`, async () =>
          connection.client.call('restart', { project, service: name, ...(await currentSpec(this, flags.config, project, name)) }, { timeoutMs: CONTROL_TIMEOUT_MS }),
        );
        if (!this.jsonEnabled()) this.log(`${name} restarted after ${args.name} (dependsOn restart; pid ${next.map((s) => s.pid ?? '-').join(', ')})`);
        rows.push(...next);
      }
      return rows;
    } finally {
      await connection.close();
    }
  }
}
