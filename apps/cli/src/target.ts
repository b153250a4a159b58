import type { IpcClient } from '@svc/ipc';
import type { LoadedConfig } from './config/load.js';
import { connectDaemon, daemonRef, ensureDaemon, type DaemonRef } from './daemon-client.js';
import { CliError } from './errors.js';
import { daemonId } from './paths.js';

/** The daemon that hosts a config's services. */
export function configDaemon(config: LoadedConfig): DaemonRef {
  return daemonRef(daemonId({ configFile: config.file }));
}

export function requireService(config: LoadedConfig, name: string): void {
  if (!config.services[name]) {
    throw new CliError('EUSAGE', `no service "${name}" in ${config.file} (services: ${Object.keys(config.services).join(', ') || 'none'})`);
  }
}

export async function startConfigDaemon(config: LoadedConfig): Promise<{ client: IpcClient; ref: DaemonRef }> {
  const ref = configDaemon(config);
  const { client } = await ensureDaemon(ref, { kind: 'config', configFile: config.file, name: undefined, spawned: true }, process.env);
  return { client, ref };
}

export async function connectConfigDaemon(config: LoadedConfig): Promise<{ client: IpcClient | null; ref: DaemonRef }> {
  const ref = configDaemon(config);
  return { client: await connectDaemon(ref), ref };
}
