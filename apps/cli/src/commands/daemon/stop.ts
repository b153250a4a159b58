import { Flags } from '@oclif/core';
import { waitForDaemonGone } from '@svc/supervisor/client';
import { BaseCommand } from '../../base-command.js';
import { clientOptions, connect } from '../../daemon.js';
import { CliError } from '../../errors.js';
import { withSpinner } from '../../output.js';

export default class DaemonStop extends BaseCommand {
  static override summary = 'Stop every service of every project gracefully, then the daemon (of any version).';
  static override examples = ['<%= config.bin %> daemon stop'];
  static override flags = {
    timeout: Flags.integer({ description: 'ms to wait for the daemon to exit', default: 10 * 60_000, min: 0, max: 2 ** 31 - 1 }),
  };

  async run(): Promise<{ stopped: number; wasRunning: boolean }> {
    const { flags } = await this.parse(DaemonStop);
    const connection = await connect({ acceptOtherVersion: true });
    if (!connection) {
      if (!this.jsonEnabled()) this.log('no svc daemon runs');
      return { stopped: 0, wasRunning: false };
    }
    let stopped: number;
    try {
      ({ stopped } = await connection.client.call('shutdown', null));
    } finally {
      await connection.close();
    }
    if (!(await withSpinner('stopping the daemon', () => waitForDaemonGone(clientOptions(), flags.timeout)))) {
      throw new CliError('ETIMEOUT', `the daemon did not exit within ${flags.timeout} ms`);
    }
    if (!this.jsonEnabled()) this.log(`svc daemon stopped (${stopped} service${stopped === 1 ? '' : 's'} stopped)`);
    return { stopped, wasRunning: true };
  }
}
