import { InvalidOptionsError } from './errors.js';
import { isObject, OptionChecker } from './option-checks.js';
import { resolveWith, SUPERVISOR_OPTION_KEYS, type ResolvedSupervisorOptions, type SupervisorOptions } from './options.js';
import { WATCH_DEFAULTS } from './defaults.js';
import { readSchedule, type ResolvedSchedule, type ScheduleOptions } from './schedule-options.js';
import { readWatch, type ResolvedWatch, type WatchOption } from './watch-options.js';

/** Defaults of the options a Service adds to a Supervisor's; the docs table is checked against them. */
export const SERVICE_DEFAULTS = {
  instances: 1,
  maxInstances: 64,
  listen: { host: '127.0.0.1', backlog: 511 },
  watch: WATCH_DEFAULTS,
} as const;

export interface ListenOptions {
  /** 0 picks a free port (see `summary().listen.port`). */
  port: number;
  host?: string;
  backlog?: number;
  /**
   * Node services: svc preloads its own module (`bin/adopt.cjs`) so that the app's own `listen()`
   * on this port takes the socket svc holds, readiness is reported when it listens, and a SIGTERM
   * the app does not handle drains it. Default: true when the command is Node (`node`, this Node,
   * or a `.js`/`.mjs`/`.cjs` script); false leaves the process as it is.
   */
  adopt?: boolean;
}

export interface ServiceOptions extends Omit<SupervisorOptions, 'instance'> {
  /** How many copies run, each supervised on its own, with `SVC_INSTANCE` 0…N-1. Change it with `scale()`. */
  instances?: number;
  /**
   * The service's listening socket, bound once by the supervisor and kept open for the service's
   * life; every instance gets it as fd 3 (`LISTEN_FDS`). Needed for `reload()` without downtime.
   */
  listen?: ListenOptions | null;
  /** Restart (reload with `listen`) when files change: `true` watches `cwd` (watch-options.ts). */
  watch?: WatchOption;
  /** A Supervisor's, plus `schedule` and `timeZone`: restarts at the times of a cron expression (schedule-options.ts). */
  restart?: SupervisorOptions['restart'] & ScheduleOptions;
}

export interface ResolvedListen {
  port: number;
  host: string;
  backlog: number;
  adopt: boolean;
}

export interface CheckedServiceOptions {
  resolved: ResolvedSupervisorOptions;
  instances: number;
  listen: ResolvedListen | null;
  watch: ResolvedWatch | null;
  schedule: ResolvedSchedule | null;
}

/** A Service's top-level options: a Supervisor's, less `instance`, plus `instances`, `listen` and `watch`. */
export const SERVICE_OPTION_KEYS: readonly string[] = [...SUPERVISOR_OPTION_KEYS.filter((k) => k !== 'instance'), 'instances', 'listen', 'watch'];

/** Checks a Service's options, every problem at once; throws InvalidOptionsError listing them. */
export function checkServiceOptions(options: ServiceOptions): CheckedServiceOptions {
  if (!isObject(options)) throw new InvalidOptionsError('options', options, 'an object');
  const c = new OptionChecker();
  const checked = checkServiceWith(c, options);
  c.throwIfAny();
  return checked;
}

/** The Service's rules, recording problems in `c` (see resolveWith). */
export function checkServiceWith(c: OptionChecker, options: Record<string, unknown>, keys: readonly string[] = SERVICE_OPTION_KEYS): CheckedServiceOptions {
  if ('instance' in options) c.fail('instance', options.instance, 'no instance: a Service numbers its instances itself (instances sets how many)');
  const resolved = resolveWith(c, options, keys.includes('instance') ? keys : [...keys, 'instance']);
  const instances = readInstances(c, options.instances ?? SERVICE_DEFAULTS.instances);
  const listen = readListen(c, options.listen ?? null, resolved.command);
  if (listen && (resolved.readiness.type === 'tcp' || resolved.readiness.type === 'http')) {
    c.fail(
      'readiness.type',
      resolved.readiness.type,
      'notify or none with listen: the shared socket answers a tcp probe itself, and an http probe can reach another instance',
    );
  }
  if (resolved.type === 'oneshot' && (instances > 1 || listen)) {
    c.fail(listen ? 'listen' : 'instances', listen ? options.listen : options.instances, 'no listen and one instance with type oneshot: a task that runs to its end serves nothing');
  }
  if (resolved.lock && (instances > 1 || listen)) {
    c.fail('lock', options.lock, 'no lock with listen or instances above 1: leader election runs a single copy, across hosts');
  }
  const watch = readWatch(c, options.watch, resolved);
  const schedule = readSchedule(c, isObject(options.restart) ? options.restart : {});
  return { resolved, instances, listen, watch, schedule };
}

/** The number of instances, or EINVALID_OPTIONS naming the bounds. */
export function resolveInstances(value: unknown): number {
  const c = new OptionChecker();
  const instances = readInstances(c, value);
  c.throwIfAny();
  return instances;
}

function readInstances(c: OptionChecker, value: unknown): number {
  return c.int('instances', value, SERVICE_DEFAULTS.instances, 1, SERVICE_DEFAULTS.maxInstances);
}

/** A command that is a Node process itself: `node`, this Node, or a script Node runs. */
export function isNodeProcess(command: string): boolean {
  if (command === process.execPath) return true;
  const base = command.split(/[\\/]/).pop() ?? command;
  return base === 'node' || base === 'nodejs' || base === 'node.exe' || /\.(c|m)?js$/.test(base);
}

function readListen(c: OptionChecker, value: unknown, command: string): ResolvedListen | null {
  if (value === null) return null;
  if (!isObject(value)) {
    c.fail('listen', value, 'an object { port, host?, backlog?, adopt? }');
    return null;
  }
  c.known('listen', value, ['port', 'host', 'backlog', 'adopt']);
  const { port, host = SERVICE_DEFAULTS.listen.host, backlog = SERVICE_DEFAULTS.listen.backlog, adopt = isNodeProcess(command) } = value;
  if (typeof adopt !== 'boolean') c.fail('listen.adopt', adopt, 'true or false');
  if (port === undefined) c.fail('listen.port', port, 'an integer from 0 to 65535 (0 picks a free port)');
  const resolvedPort = c.int('listen.port', port, 0, 0, 65_535);
  if (typeof host !== 'string' || host === '' || host.length > 253) c.fail('listen.host', host, 'a host name or IP address');
  return { port: resolvedPort, host: String(host), backlog: c.int('listen.backlog', backlog, SERVICE_DEFAULTS.listen.backlog, 1, 65_535), adopt: adopt === true };
}

export function sameListen(a: ResolvedListen | null, b: ResolvedListen | null): boolean {
  return a === b || (a !== null && b !== null && a.port === b.port && a.host === b.host && a.backlog === b.backlog);
}

/** A Service's options as each of its instances' Supervisor takes them: less what only the Service acts on. */
export function instanceOptions(options: ServiceOptions): Omit<SupervisorOptions, 'instance'> {
  const { instances: _instances, listen: _listen, watch: _watch, restart, ...rest } = options;
  if (restart === undefined) return rest;
  const { schedule: _schedule, timeZone: _timeZone, ...own } = restart;
  return { ...rest, restart: own };
}

/** New options for a running Service (a restart or reload with options): checked, same name, same listen. */
export function checkReplacement(options: ServiceOptions, name: string, listen: ResolvedListen | null): CheckedServiceOptions {
  const checked = checkServiceOptions(options);
  if (checked.resolved.name !== name) throw new InvalidOptionsError('name', checked.resolved.name, `the service's own name, ${name}`);
  if (!sameListen(checked.listen, listen)) {
    throw new InvalidOptionsError('listen', options.listen ?? null, `the current ${JSON.stringify(listen)}: the socket outlives reloads; stop and start the service to change it`);
  }
  return checked;
}
