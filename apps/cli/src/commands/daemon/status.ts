import { readLock } from '@svc/lock';
import { SUPERVISOR_VERSION, type HelloResult } from '@svc/supervisor/client';
import { BaseCommand } from '../../base-command.js';
import { connect, paths } from '../../daemon.js';

interface DaemonStatusResult {
  running: boolean;
  clientVersion: string;
  daemon: (HelloResult & { services: number; projects: number; manager: string | null }) | null;
}

export default class DaemonStatusCommand extends BaseCommand {
  static override summary = 'Show the per-user svc daemon: its version, pid, socket, and what it hosts.';
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json'];

  async run(): Promise<DaemonStatusResult> {
    await this.parse(DaemonStatusCommand);
    const connection = await connect({ acceptOtherVersion: true });
    if (!connection) {
      if (!this.jsonEnabled()) this.log('no svc daemon runs (svc start starts one)');
      return { running: false, clientVersion: SUPERVISOR_VERSION, daemon: null };
    }
    try {
      const rows = await connection.client.call('status', {});
      const lock = await readLock({ name: paths().lockName, dir: paths().lockDir });
      const recorded = lock.state === 'held' ? lock.holder?.metadata.manager : undefined;
      const manager = typeof recorded === 'string' ? recorded : lock.state === 'held' ? 'svc' : null;
      const daemon = { ...connection.hello, services: new Set(rows.map((r) => `${r.project.id}/${r.name}`)).size, projects: new Set(rows.map((r) => r.project.id)).size, manager };
      if (!this.jsonEnabled()) {
        this.log(`svc daemon ${daemon.version} (pid ${daemon.pid}, started ${daemon.startedAt}, by ${manager ?? '?'})`);
        this.log(`socket ${daemon.socket}: ${daemon.services} service${daemon.services === 1 ? '' : 's'} in ${daemon.projects} project${daemon.projects === 1 ? '' : 's'}`);
        if (daemon.version !== SUPERVISOR_VERSION) this.warn(`this svc is ${SUPERVISOR_VERSION}: run \`svc daemon restart\` to move the services to it`);
      }
      return { running: true, clientVersion: SUPERVISOR_VERSION, daemon };
    } finally {
      await connection.close();
    }
  }
}
