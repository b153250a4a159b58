import type { DaemonConnection } from '@svc/supervisor/client';
import { spawnDaemonEarly, type SpawnedDaemon } from '@svc/supervisor/spawn';
import { clientOptions } from './client-options.js';
import { findConfig } from './config/find.js';
import type { LoadedConfig } from './config/resolve.js';
import { ALL } from './usage.js';

/**
 * `svc start <name> [--json]` before the command framework loads, for a service of the config
 * found from here. With no daemon running, one is spawned as soon as a config file is found,
 * before anything else is loaded (this module's imports are the spawn entry and the config finder
 * only), so that it boots while this process loads and checks the config (from its validated
 * copy when unchanged); then the daemon is asked to start the service, and the outcome printed as the
 * command prints it. The start is handed to the daemon at once (its stdin), so that it spawns the
 * service as soon as it holds its lock; the start call then collects it. 'continue' for anything else (no config, an unknown name, an invalid config,
 * a daemon that cannot be reached): the command then does the whole job and reports it. A daemon
 * spawned for a start that does not happen is asked to exit again before this returns, so an
 * invalid config leaves nothing running.
 */
export async function prestart(name: string, options: { json: boolean }): Promise<'handled' | 'continue'> {
  // `svc start all` is `--all`: the command's.
  if (name === ALL) return 'continue';
  // Looking for the config is a few stat calls: with none, there is nothing to spawn a daemon for.
  const configFile = findConfig(process.cwd());
  if (configFile === null) return 'continue';
  let spawned: SpawnedDaemon | null;
  try {
    spawned = spawnDaemonEarly(clientOptions());
  } catch {
    // Cannot even spawn (an unwritable home): the command reports it in its own words.
    return 'continue';
  }
  try {
    return await startWith(spawned, configFile, name, options);
  } finally {
    // Whatever happened, the daemon's stdin ends (a no-op once the start was handed over).
    spawned?.handOver(null);
  }
}

async function startWith(spawned: SpawnedDaemon | null, configFile: string, name: string, options: { json: boolean }): Promise<'handled' | 'continue'> {
  const client = import('@svc/supervisor/client');
  const dismiss = async (): Promise<'continue'> => {
    if (spawned) {
      spawned.handOver(null);
      await (await client).dismissDaemon(spawned, clientOptions());
    }
    return 'continue';
  };
  // Everything below loads while the daemon boots.
  const [{ loadConfigFile }, { callerEnvironment }] = await Promise.all([import('./config/load.js'), import('./daemon.js')]);
  let config: LoadedConfig;
  try {
    config = await loadConfigFile(configFile, { keepCopy: true });
  } catch {
    // Invalid or unreadable: the command loads it again and names every problem.
    return dismiss();
  }
  const definition = config.services[name];
  if (!definition) return dismiss();
  // What it depends on starts first: the command's (start-stack.ts), on the daemon spawned here.
  if (definition.dependsOn !== undefined) return 'continue';
  // The daemon we spawned begins this start as soon as it holds its lock, before it serves; the
  // start call below collects the outcome by this token.
  const handoff = spawned ? `${process.pid.toString(36)}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}` : undefined;
  if (spawned && handoff) spawned.handOver({ token: handoff, project: config.project, service: name, definition, environment: callerEnvironment() });
  const [{ ensureDaemon }, { errorJson, errorLines, isSvcError }, { withSpinner }, { startServices }] = await Promise.all([
    client,
    import('./error-output.js'),
    import('./output.js'),
    import('./start-service.js'),
  ]);
  let connection: DaemonConnection;
  try {
    connection = await ensureDaemon(clientOptions(), spawned);
  } catch {
    // Another version, or a daemon that cannot start: the command says so in its own words.
    return 'continue';
  }
  const lines: string[] = [];
  try {
    const result = await withSpinner(`starting ${name}`, () =>
      startServices(connection, config.project, [{ name, definition }], (line) => lines.push(line), connection.spawned && handoff ? { handoff } : {}),
    );
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : lines.map((l) => `${l}\n`).join(''));
    return 'handled';
  } catch (error) {
    if (!isSvcError(error) || (error as { code?: string }).code !== 'ESTART_FAILED') return 'continue';
    if (options.json) process.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`);
    else process.stderr.write(errorLines(error).map((l) => `${l}\n`).join(''));
    process.exitCode = 1;
    return 'handled';
  } finally {
    await connection.close();
  }
}
