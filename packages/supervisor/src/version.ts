import { readFileSync } from 'node:fs';

/**
 * This package's version, read from its package.json: the daemon publishes it, and a client of
 * another version never talks to it silently (daemon-client.ts). Read as a file, not required:
 * the first `require` in a process sets up Node's CommonJS loader (≈ 6 ms of every `svc status`).
 */
export const SUPERVISOR_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The daemon's admin protocol. `hello`, `export` and `shutdown` keep their shape in every version,
 * so that a newer client can always find out what runs and move it to a daemon of its own version.
 */
export const DAEMON_PROTOCOL = 1;
