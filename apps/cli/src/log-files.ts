import { existsSync } from 'node:fs';
import path from 'node:path';
import { tailLog } from '@svc/supervisor';
import { dirsFor } from './paths.js';

/**
 * The last lines of a service's log read straight from disk (for when its daemon is down), from
 * the files @svc/supervisor writes: `<state>/logs/<daemon id>/<name>.{out.log,err.log,events.jsonl}`
 * and their rotated `.1` … `.N`. null when the service never logged there.
 */
export function readLogFiles(daemonId: string, name: string, stream: 'stdout' | 'stderr' | 'events', lines: number): string[] | null {
  const dir = path.join(path.dirname(dirsFor(daemonId).logDir), 'logs', daemonId);
  const file = path.join(dir, `${name}.${stream === 'stdout' ? 'out.log' : stream === 'stderr' ? 'err.log' : 'events.jsonl'}`);
  if (!existsSync(file)) return null;
  return tailLog(file, lines);
}
