import { ConfigError } from './errors.js';

/**
 * What the server does when a variable is unset or empty. The README's `## Options` table is
 * checked against this object, so the documented defaults are the ones used here.
 */
export const DEFAULTS = {
  PORT: 3000,
  HOST: '127.0.0.1',
  VERSION: 'dev',
  SVC_EXAMPLE_TEST_ROUTES: false,
  LOCK: true,
} as const;

/** The variables this server reads, in the order of the README's table. */
export const ENV_NAMES = Object.keys(DEFAULTS) as ReadonlyArray<keyof typeof DEFAULTS>;

export interface Config {
  port: number;
  host: string;
  version: string;
  testRoutes: boolean;
  lock: boolean;
  /** `SVC_INSTANCE` from the supervisor (docs/protocol.md), or null when run directly. */
  instance: number | null;
}

/** The longest VERSION accepted: it is echoed in every hello and in the lock record. */
const MAX_VERSION_LENGTH = 128;

/** Reads and checks every variable at once, so a bad one stops the server before it takes anything. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  return {
    port: readPort(env.PORT),
    host: readHost(env.HOST),
    version: readVersion(env.VERSION),
    testRoutes: readSwitch('SVC_EXAMPLE_TEST_ROUTES', env.SVC_EXAMPLE_TEST_ROUTES, DEFAULTS.SVC_EXAMPLE_TEST_ROUTES),
    lock: readSwitch('LOCK', env.LOCK, DEFAULTS.LOCK),
    instance: readInstance(env.SVC_INSTANCE),
  };
}

function isUnset(value: string | undefined): value is undefined | '' {
  return value === undefined || value === '';
}

function readPort(value: string | undefined): number {
  if (isUnset(value)) return DEFAULTS.PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new ConfigError('PORT', value, 'a port number from 0 to 65535 (0 picks a free one)');
  return port;
}

function readHost(value: string | undefined): string {
  if (isUnset(value)) return DEFAULTS.HOST;
  // Host names and IPv4/IPv6 literals only: anything else would end up in a URL and a lock record.
  if (!/^[A-Za-z0-9.:%_-]{1,253}$/.test(value)) throw new ConfigError('HOST', value, 'a host name or an IP address such as 127.0.0.1 or ::1');
  return value;
}

function readVersion(value: string | undefined): string {
  if (isUnset(value)) return DEFAULTS.VERSION;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (value.length > MAX_VERSION_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ConfigError('VERSION', value, `at most ${MAX_VERSION_LENGTH} characters and no control characters`);
  }
  return value;
}

function readSwitch(variable: string, value: string | undefined, fallback: boolean): boolean {
  if (isUnset(value)) return fallback;
  if (value === '1') return true;
  if (value === '0') return false;
  throw new ConfigError(variable, value, '1 (on) or 0 (off)');
}

function readInstance(value: string | undefined): number | null {
  if (isUnset(value)) return null;
  if (!/^\d{1,6}$/.test(value)) throw new ConfigError('SVC_INSTANCE', value, 'the instance index given by the supervisor: 0, 1, …');
  return Number(value);
}
