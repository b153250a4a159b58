/**
 * Every error @svc/supervisor throws. Codes are stable: the CLI and users match on them, and the
 * docs page's error table is checked against ERROR_CODES by a test.
 */
export const ERROR_CODES = [
  'EINVALID_OPTIONS',
  'EENV_FILE',
  'ELOG_PATH',
  'ESTART_FAILED',
  'ESTOPPED',
  'ECLOSED',
  'EUNKNOWN_SERVICE',
  'ESERVICE_LOCKED',
  'EDAEMON_LOCKED',
  'ELISTEN',
  'ERELOAD_FAILED',
  'EDAEMON_VERSION',
  'EDAEMON_START',
  'ELEFTOVERS',
] as const;

export type SupervisorErrorCode = (typeof ERROR_CODES)[number];

// Symbol.for so that the brand survives two copies of this package (ESM + CJS) in one process.
const BRAND = Symbol.for('svc.supervisor.error');

export class SupervisorError extends Error {
  readonly code: SupervisorErrorCode;

  constructor(code: SupervisorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SupervisorError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** One option that cannot be used: which (a dotted path), the value given and what was expected. */
export interface OptionProblem {
  option: string;
  value: unknown;
  expected: string;
  /** For an option that does not exist: the options that do, at that level. */
  known?: readonly string[];
}

/**
 * Options that cannot be used: thrown by the constructor, before anything happens. `option`,
 * `value` and the message name the first problem; `problems` lists every one found.
 */
export class InvalidOptionsError extends SupervisorError {
  readonly option: string;
  readonly value: unknown;
  readonly problems: OptionProblem[];

  constructor(option: string, value: unknown, expected: string, others: OptionProblem[] = []) {
    const problems = [{ option, value, expected }, ...others];
    const lines = problems.map((p) => `invalid option ${p.option}: ${describe(p.value)}; expected ${p.expected}`);
    super('EINVALID_OPTIONS', lines.join('\n'));
    this.name = 'InvalidOptionsError';
    this.option = option;
    this.value = value;
    this.problems = problems;
  }

  /** The error for a non-empty list of problems, the first one named in `option` and `value`. */
  static of(problems: readonly OptionProblem[]): InvalidOptionsError {
    const [first, ...others] = problems;
    if (!first) throw new TypeError('InvalidOptionsError.of needs at least one problem');
    return new InvalidOptionsError(first.option, first.value, first.expected, others);
  }
}

/** A `.env` file that does not parse: names the file, the line and what was wrong. */
export class EnvFileError extends SupervisorError {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, reason: string, cause?: unknown) {
    super('EENV_FILE', `${file}:${line}: ${reason}`, { cause });
    this.name = 'EnvFileError';
    this.file = file;
    this.line = line;
  }
}

/** A log path that is unsafe (a symlink, not a regular file, a directory others can write). */
export class LogPathError extends SupervisorError {
  readonly path: string;

  constructor(path: string, reason: string, cause?: unknown) {
    super('ELOG_PATH', `refusing log path ${path}: ${reason}`, { cause });
    this.name = 'LogPathError';
    this.path = path;
  }
}

/** start()/restart() could not bring the service to `running`. */
export class StartFailedError extends SupervisorError {
  readonly service: string;
  readonly state: string;
  /** What ended the start, without the service's name: "exited with code 1 within its start window …". */
  readonly reason: string;
  readonly lastExit: { code: number | null; signal: string | null } | null;
  readonly stderrTail: string[];

  constructor(
    service: string,
    state: string,
    reason: string,
    lastExit: { code: number | null; signal: string | null } | null,
    stderrTail: string[],
  ) {
    super('ESTART_FAILED', `service ${service} did not start (${state}): ${reason}`);
    this.name = 'StartFailedError';
    this.service = service;
    this.state = state;
    this.reason = reason;
    this.lastExit = lastExit;
    this.stderrTail = stderrTail;
  }
}

/** A start()/restart() that was overtaken by stop(). */
export class StoppedError extends SupervisorError {
  readonly service: string;

  constructor(service: string) {
    super('ESTOPPED', `service ${service} was stopped before it became ready`);
    this.name = 'StoppedError';
    this.service = service;
  }
}

/** The Supervisor or daemon was closed; it accepts no more requests. */
export class ClosedError extends SupervisorError {
  constructor(what: string) {
    super('ECLOSED', `${what} is closed`);
    this.name = 'ClosedError';
  }
}

/** The daemon does not host a service of that name (in that project). */
export class UnknownServiceError extends SupervisorError {
  readonly service: string;
  readonly project: string | null;

  constructor(service: string, known: string[], project: string | null = null) {
    super('EUNKNOWN_SERVICE', `no service named ${describe(service)}${project === null ? '' : ` in ${project}`}; known: ${known.join(', ') || '(none)'}`);
    this.name = 'UnknownServiceError';
    this.service = service;
    this.project = project;
  }
}

/** The service's lock is held by another daemon. */
export class ServiceLockedError extends SupervisorError {
  readonly service: string;
  readonly holder: unknown;

  constructor(service: string, holder: unknown, cause?: unknown) {
    super('ESERVICE_LOCKED', `service ${service} is already running under another daemon: ${JSON.stringify(holder)}`, { cause });
    this.name = 'ServiceLockedError';
    this.service = service;
    this.holder = holder;
  }
}

/**
 * Processes of the service's previous run still live, unsupervised: their daemon died and its
 * orphan guard could not end them. Starting it again would make a second copy.
 */
export class LeftoverProcessesError extends SupervisorError {
  readonly service: string;
  readonly pids: number[];

  constructor(service: string, pids: number[], daemonPid: number) {
    super(
      'ELEFTOVERS',
      `${service} not started: ${pids.length} of its processes from before its daemon (pid ${daemonPid}) died still run, unsupervised (pids ${pids.join(', ')}); a new start would be a second copy. End them with svc stop ${service} (or kill ${pids.join(' ')}), then start it`,
    );
    this.name = 'LeftoverProcessesError';
    this.service = service;
    this.pids = pids;
  }
}

/** Another daemon already runs for this user (this SVC_HOME). */
export class DaemonLockedError extends SupervisorError {
  readonly holder: unknown;

  constructor(holder: unknown, cause?: unknown) {
    const pid = (holder as { pid?: unknown } | null)?.pid;
    super('EDAEMON_LOCKED', `a svc daemon already runs here${typeof pid === 'number' ? ` (pid ${pid})` : ''}: ${JSON.stringify(holder)}`, { cause });
    this.name = 'DaemonLockedError';
    this.holder = holder;
  }
}

/**
 * The daemon that answers is of another version than this client. Nothing was asked of it: a
 * client never talks to a daemon of another version silently. `fix` says exactly what to run.
 */
export class DaemonVersionError extends SupervisorError {
  readonly daemonVersion: string;
  readonly clientVersion: string;
  readonly daemonPid: number | null;
  readonly fix: string;

  constructor(daemonVersion: string, clientVersion: string, daemonPid: number | null, fix: string) {
    super('EDAEMON_VERSION', `the svc daemon${daemonPid === null ? '' : ` (pid ${daemonPid})`} runs version ${daemonVersion}, this client is ${clientVersion}: ${fix}`);
    this.name = 'DaemonVersionError';
    this.daemonVersion = daemonVersion;
    this.clientVersion = clientVersion;
    this.daemonPid = daemonPid;
    this.fix = fix;
  }
}

/** The daemon could not be started: it exited before it served, or did not answer in time. */
export class DaemonStartError extends SupervisorError {
  readonly logFile: string;
  readonly logTail: string[];

  constructor(reason: string, logFile: string, logTail: string[]) {
    super('EDAEMON_START', `the svc daemon could not be started: ${reason} (its log: ${logFile})`);
    this.name = 'DaemonStartError';
    this.logFile = logFile;
    this.logTail = logTail;
  }
}

/** The service's `listen` socket could not be bound (port taken, no permission, bad address). */
export class ListenError extends SupervisorError {
  readonly service: string;
  readonly host: string;
  readonly port: number;
  readonly errno: string;

  constructor(service: string, host: string, port: number, errno: string, hint: string, cause?: unknown) {
    super('ELISTEN', `service ${service} cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${errno}. ${hint}`, { cause });
    this.name = 'ListenError';
    this.service = service;
    this.host = host;
    this.port = port;
    this.errno = errno;
  }
}

/**
 * reload() stopped because a replacement instance did not become ready: the old instances keep
 * serving. Carries the replacement's last stderr lines.
 */
export class ReloadFailedError extends SupervisorError {
  readonly service: string;
  readonly instance: number;
  readonly replaced: number;
  readonly lastExit: { code: number | null; signal: string | null } | null;
  readonly stderrTail: string[];

  constructor(
    service: string,
    instance: number,
    replaced: number,
    reason: string,
    lastExit: { code: number | null; signal: string | null } | null,
    stderrTail: string[],
  ) {
    super(
      'ERELOAD_FAILED',
      `reload of ${service} stopped: the replacement for instance ${instance} did not become ready (${reason}); ` +
        `${replaced === 0 ? 'no instance was replaced' : `${replaced} instance${replaced === 1 ? ' was' : 's were'} already replaced`}, the others keep running the old version`,
    );
    this.name = 'ReloadFailedError';
    this.service = service;
    this.instance = instance;
    this.replaced = replaced;
    this.lastExit = lastExit;
    this.stderrTail = stderrTail;
  }
}

export function isSupervisorError(error: unknown): error is SupervisorError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular or otherwise unserialisable: the type name is enough for the message.
    return Object.prototype.toString.call(value);
  }
}
