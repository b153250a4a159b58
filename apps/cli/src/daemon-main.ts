import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { configDigest } from './config/find.js';
import type { ServiceDefinition } from '@svc/supervisor';
import { CliError } from './errors.js';
import { clearFailed, writeFailed } from './final-status.js';
import { daemonId } from './paths.js';

/** What a daemon hosts: a config's services (all, or one for an installed unit), or one ad-hoc service. */
export type DaemonSpec =
  | { kind: 'config'; configFile: string | undefined; name: string | undefined; spawned: boolean; start?: string[] }
  | { kind: 'adhoc'; name: string; definitionFile: string };

export interface DaemonOutcome {
  id: string;
  /** Each service's state when the daemon ended. */
  services: Record<string, string>;
}

/**
 * Runs a supervisor daemon to its end: what `svc run` does, and what `svc start` spawns (through
 * bin/daemon.js, without loading the command framework). `onServing` is told once it serves.
 */
export async function runDaemon(spec: DaemonSpec, onServing: (id: string, socketPath: string) => void = () => undefined): Promise<DaemonOutcome> {
  // Both loads at once: the supervisor's while the config's parsers and schema load.
  const supervisor = import('@svc/supervisor');
  const configModules = spec.kind === 'config' ? Promise.all([import('./config/load.js'), import('./service-options.js')]) : null;
  // The awaits below report a failed load; these keep one that fails early from being "unhandled".
  supervisor.catch(() => undefined);
  configModules?.catch(() => undefined);
  let id: string;
  let services: Record<string, ServiceDefinition>;
  let autostart: 'all' | 'none' = 'all';
  let digest: string | null = null;
  if (spec.kind === 'adhoc') {
    const definition = JSON.parse(readFileSync(spec.definitionFile, 'utf8')) as ServiceDefinition;
    rmSync(spec.definitionFile, { force: true });
    id = daemonId({ adHoc: spec.name });
    services = { [spec.name]: definition };
    autostart = 'none';
  } else {
    const [{ loadConfig, findConfig }, { toServiceDefinition }] = await configModules!;
    // The digest of the bytes about to be validated (taken first: a later edit then never matches).
    const file = spec.configFile ? path.resolve(spec.configFile) : findConfig(process.cwd());
    digest = file === null ? null : configDigest(file);
    const config = await loadConfig(spec.configFile ? { file: spec.configFile } : {});
    const base = daemonId({ configFile: config.file });
    const one = spec.name !== undefined && !spec.spawned;
    const names = one ? [spec.name!] : Object.keys(config.services);
    services = {};
    for (const name of names) {
      const service = config.services[name];
      if (!service) throw new CliError('EUSAGE', `no service "${name}" in ${config.file} (services: ${Object.keys(config.services).join(', ') || 'none'})`);
      services[name] = toServiceDefinition(service);
    }
    // The whole-config daemon and a one-service daemon (an installed unit) have distinct ids;
    // the per-service lock keeps them from running the same service twice.
    id = one ? `${base}-${spec.name}` : base;
    // Spawned by `svc start`: host every service, start only what is asked for.
    if (spec.spawned) autostart = 'none';
  }
  const { createDaemon } = await supervisor;
  // The lock record says which config bytes this daemon validated: `svc start` with the file
  // unchanged may then skip validating it again (prestart.ts).
  const daemon = await createDaemon({ id, services, autostart, ...(digest === null ? {} : { lockMetadata: { configDigest: digest } }) });
  clearFailed(id);
  // Spawned early by `svc start <name>` (prestart.ts): start it now; that command's own `start`
  // request joins this one and reports its outcome, which is also in the service's state.
  const early = spec.kind === 'config' ? (spec.start ?? []).filter((name) => name in services) : [];
  for (const name of early) daemon.start(name).catch(() => undefined);
  // Asked for a name the config does not have: nothing to run, so no reason to stay (the command
  // reports the unknown name).
  if (spec.kind === 'config' && spec.start !== undefined && early.length === 0) void daemon.close();
  onServing(id, daemon.socketPath);
  await daemon.done;
  const stats = daemon.status();
  writeFailed(id, stats);
  return { id, services: Object.fromEntries(stats.map((s) => [s.name, s.state])) };
}
