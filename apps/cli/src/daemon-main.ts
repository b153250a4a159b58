import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ServiceDefinition } from '@svc/supervisor';
import { findConfig, readConfigBytes } from './config/find.js';
import { resolveConfig, type LoadedConfig } from './config/resolve.js';
import { readValidatedCopy, writeValidatedCopy } from './config/validated-copy.js';
import { CliError } from './errors.js';
import { clearFailed, writeFailed } from './final-status.js';
import { daemonId, dirsFor } from './paths.js';
import { toServiceDefinition } from './service-options.js';

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
  // Loaded while the config is read (and, unless a validated copy serves, parsed and validated).
  const supervisor = import('@svc/supervisor');
  // The await below reports a failed load; this keeps one that fails early from being "unhandled".
  supervisor.catch(() => undefined);
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
    const loaded = await loadDaemonConfig(spec.configFile);
    digest = loaded.digest;
    const config = loaded.config;
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

/**
 * The config a daemon runs: its bytes read once, digested, and validated — or taken from the copy
 * an earlier daemon validated from the same bytes (config/validated-copy.ts), which spares loading
 * the parsers and the schema. `digest` is null for JavaScript and TypeScript configs.
 */
async function loadDaemonConfig(configFile: string | undefined): Promise<{ config: LoadedConfig; digest: string | null }> {
  const file = configFile ? path.resolve(configFile) : findConfig(process.cwd());
  const read = file === null ? null : readConfigBytes(file);
  if (file === null || read === null) {
    // No file, a missing or unreadable one (reported in the command's words), or code.
    const { loadConfig } = await import('./config/load.js');
    return { config: await loadConfig(configFile ? { file: configFile } : {}), digest: null };
  }
  const copyDir = dirsFor(daemonId({ configFile: file })).stateDir;
  const copy = readValidatedCopy(copyDir, read.digest);
  if (copy !== null) return { config: resolveConfig(file, copy), digest: read.digest };
  const { readValidConfig } = await import('./config/load.js');
  const validated = await readValidConfig(file, read.bytes);
  writeValidatedCopy(copyDir, read.digest, validated);
  return { config: resolveConfig(file, validated), digest: read.digest };
}
