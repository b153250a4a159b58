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

/** Connects to the config's daemon, spawning it first when none runs; `spawned`: this process started it. */
export async function startConfigDaemon(config: LoadedConfig): Promise<{ client: IpcClient; ref: DaemonRef; spawned: boolean }> {
  const ref = configDaemon(config);
  const { client, spawned } = await ensureDaemon(ref, { kind: 'config', configFile: config.file, name: undefined, spawned: true }, process.env);
  return { client, ref, spawned };
}

export async function connectConfigDaemon(config: LoadedConfig): Promise<{ client: IpcClient | null; ref: DaemonRef }> {
  const ref = configDaemon(config);
  return { client: await connectDaemon(ref), ref };
}
