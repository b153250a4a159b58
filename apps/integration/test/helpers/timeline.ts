import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './paths.js';
import type { Sandbox } from './sandbox.js';

/*
 * A project of services that print the steps of one timeline (fixtures/timeline.mjs), strictly in
 * the order svc receives them, and then what the test asks each to say.
 */

export interface Timeline {
  /** The project's log directory. */
  logDir: string;
  /** Makes `service` print `text` on `stream` (once). */
  say(service: string, stream: 'out' | 'err', text: string): void;
}

export function timelineProject(sb: Sandbox, services: string[], steps: string): Timeline {
  const sayDir = path.join(sb.dir, 'say');
  mkdirSync(sayDir);
  // A project's logs are under its id: cfg-<the first 12 hex of the SHA-256 of the config's real path>.
  const config = path.join(sb.dir, 'svc.config.yaml');
  const logDir = path.join(sb.home, 'state', 'logs', `cfg-${createHash('sha256').update(config).digest('hex').slice(0, 12)}`);
  const env = { TIMELINE: steps, LOG_DIR: logDir, SAY_DIR: sayDir };
  sb.writeConfig({ services: Object.fromEntries(services.map((name) => [name, { command: process.execPath, args: [path.join(FIXTURES, 'timeline.mjs')], env }])) });
  let said = 0;
  return {
    logDir,
    say(service, stream, text) {
      // Written whole under another name, then renamed: the service never reads half of it.
      const file = path.join(sayDir, `${service}-${++said}-${stream}`);
      writeFileSync(`${sayDir}/.${said}.tmp`, text);
      renameSync(`${sayDir}/.${said}.tmp`, file);
    },
  };
}
