import { realpathSync } from 'node:fs';
import type { InstallerOptions } from '@svc/installers';
import type { LoadedConfig } from './config/load.js';
import { CliError } from './errors.js';
import { daemonDirs } from './paths.js';
import { toSupervisorOptions } from './service-options.js';
import { svcEntry } from './svc-entry.js';


/** What `svc install <name>` hands to @svc/installers for a service of the config. */
export async function installerOptions(config: LoadedConfig, name: string, flags: { system: boolean; user?: string | undefined }): Promise<InstallerOptions> {
  const service = config.services[name];
  if (!service) {
    throw new CliError('EUSAGE', `no service "${name}" in ${config.file} (services: ${Object.keys(config.services).join(', ') || 'none'})`);
  }
  const { resolveSupervisorOptions } = await import('@svc/supervisor');
  const resolved = resolveSupervisorOptions(toSupervisorOptions(service, daemonDirs(config.file)));
  return {
    name,
    nodePath: realpathSync(process.execPath),
    svcEntry: svcEntry(),
    configPath: config.file,
    workingDirectory: service.cwd,
    stopTimeoutMs: resolved.stop.timeoutMs,
    system: flags.system,
    ...(flags.user ? { user: flags.user } : {}),
  };
}
