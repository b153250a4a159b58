import { createRequire } from 'node:module';

/**
 * This package's version, read from its package.json: the daemon publishes it, and a client of
 * another version never talks to it silently (daemon-client.ts).
 */
export const SUPERVISOR_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * The daemon's admin protocol. `hello`, `export` and `shutdown` keep their shape in every version,
 * so that a newer client can always find out what runs and move it to a daemon of its own version.
 */
export const DAEMON_PROTOCOL = 1;
