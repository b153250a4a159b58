import { createHash } from 'node:crypto';
import path from 'node:path';
import { resolveRunDir, resolveStateDir } from '@svc/lock/dirs';

/** A daemon's id: from its config file's absolute path, or from an ad-hoc service's name. */
export function daemonId(source: { configFile: string } | { adHoc: string }): string {
  if ('adHoc' in source) return `adhoc-${source.adHoc}`;
  const digest = createHash('sha256').update(path.resolve(source.configFile)).digest('hex').slice(0, 12);
  return `cfg-${digest}`;
}

/** Where one daemon keeps its socket, locks, logs and state. */
export function daemonDirs(configFile: string, env: NodeJS.ProcessEnv = process.env): { runDir: string; logDir: string; stateDir: string } {
  const id = daemonId({ configFile });
  return dirsFor(id, env);
}

export function dirsFor(id: string, env: NodeJS.ProcessEnv = process.env): { runDir: string; logDir: string; stateDir: string } {
  const stateDir = resolveStateDir(env);
  return { runDir: resolveRunDir(env), logDir: path.join(stateDir, 'logs'), stateDir: path.join(stateDir, id) };
}
