import { ensureDaemon, type DaemonConnection } from '@svc/supervisor/client';
import { loadConfigFile } from './config/load.js';
import { findConfig } from './config/find.js';
import type { LoadedConfig } from './config/resolve.js';
import { clientOptions } from './daemon.js';
import { errorJson, errorLines, isSvcError } from './error-output.js';
import { withSpinner } from './output.js';
import { startServices } from './start-service.js';

/**
 * `svc start <name> [--json]` before the command framework loads, for a service of the config
 * found from here: the config is loaded (from its validated copy when unchanged), the daemon
 * connected to (spawned when none runs) and asked to start the service; the outcome is printed
 * as the command prints it. 'continue' for anything else (no config, an unknown name, an invalid
 * config, a daemon that cannot be reached): the command then does the whole job and reports it.
 */
export async function prestart(name: string, options: { json: boolean }): Promise<'handled' | 'continue'> {
  const configFile = findConfig(process.cwd());
  if (configFile === null) return 'continue';
  let config: LoadedConfig;
  try {
    // First the config: an invalid one, or a name it does not have, starts nothing (not even a daemon).
    config = await loadConfigFile(configFile, { keepCopy: true });
  } catch {
    // Invalid or unreadable: the command loads it again and names every problem.
    return 'continue';
  }
  const definition = config.services[name];
  if (!definition) return 'continue';
  let connection: DaemonConnection;
  try {
    connection = await ensureDaemon(clientOptions());
  } catch {
    // Another version, or a daemon that cannot start: the command says so in its own words.
    return 'continue';
  }
  const lines: string[] = [];
  try {
    const result = await withSpinner(`starting ${name}`, () => startServices(connection, config.project, [{ name, definition }], (line) => lines.push(line)));
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
