import { EventEmitter } from 'node:events';
import { ClosedError, InvalidOptionsError, ReloadFailedError, isSupervisorError } from './errors.js';
import { bindListenSocket, type ListenSocket } from './listen-socket.js';
import { ensurePrivateDir } from './log-file.js';
import { tailLog } from './log-tail.js';
import { createOrphanGuard, type OrphanGuard } from './orphan-guard.js';
import { resolveSupervisorOptions, type ResolvedSupervisorOptions, type SupervisorOptions } from './options.js';
import { RECENT_LINES, RecentLines } from './recent-lines.js';
import {
  openServiceLogs,
  Supervisor,
  type LogLine,
  type LogStream,
  type StateChange,
  type SupervisorEvent,
  type SupervisorEventType,
  type SupervisorLogs,
  type SupervisorState,
  type SupervisorStats,
} from './supervisor.js';

/** Defaults of the options a Service adds to a Supervisor's; the docs table is checked against them. */
export const SERVICE_DEFAULTS = {
  instances: 1,
  maxInstances: 64,
  listen: { host: '127.0.0.1', backlog: 511 },
} as const;

export interface ListenOptions {
  /** 0 picks a free port (see `stats().listen.port`). */
  port: number;
  host?: string;
  backlog?: number;
}

export interface ServiceOptions extends Omit<SupervisorOptions, 'instance'> {
  /** How many copies run, each supervised on its own, with `SVC_INSTANCE` 0…N-1. Change it with `scale()`. */
  instances?: number;
  /**
   * The service's listening socket, bound once by the supervisor and kept open for the service's
   * life; every instance gets it as fd 3 (`LISTEN_FDS`). Needed for `reload()` without downtime.
   */
  listen?: ListenOptions | null;
}

export interface ResolvedListen {
  port: number;
  host: string;
  backlog: number;
}

/** What a whole service reports beside its instances' stats. */
export interface ServiceSummary {
  /** The service's state folded from its instances' (see `serviceState`). */
  state: SupervisorState;
  /** The number of instances asked for. */
  instances: number;
  /** The bound address while the socket is open, else null (even with `listen`). */
  listen: { host: string; port: number } | null;
  reloading: boolean;
  reloads: number;
  lastReload: { at: string; ok: boolean; error: string | null } | null;
}

/** One instance's stats with its service's summary: the rows of the daemon's `status`. */
export interface InstanceStats extends SupervisorStats {
  service: ServiceSummary;
}

export interface ReloadResult {
  /** `reload`: instances replaced one by one; `restart`: no `listen`, so stop + start (with `warning`). */
  mode: 'reload' | 'restart';
  replaced: number;
  warning: string | null;
}

/**
 * The state of a service of several instances: the best one wins, so a service that serves from
 * one instance while another restarts is `running`; it is `stopped` or `failed` only when all are.
 */
export function serviceState(states: readonly SupervisorState[]): SupervisorState {
  if (states.length === 0) return 'stopped';
  const first = states[0]!;
  if (states.every((s) => s === first)) return first;
  const order: SupervisorState[] = ['running', 'starting', 'stopping', 'backoff', 'standby', 'crashed', 'failed', 'stopped'];
  for (const state of order) if (states.includes(state)) return state;
  return first;
}

/** No instance runs nor will by itself: `crashed` is final (restart policy), `backoff` is not. */
const INACTIVE: readonly SupervisorState[] = ['stopped', 'failed', 'crashed'];

interface Pending {
  kind: string;
  promise: Promise<unknown>;
}

/**
 * One service of N instances: each instance is a Supervisor of its own (restarts, limits,
 * liveness), all writing to the service's log files. With `listen`, the Service binds the port
 * once and hands the socket to every instance, which makes `reload()` (start a replacement, wait
 * until ready, drain the old one, instance by instance) and `scale()` free of refused
 * connections. Control calls are serialised like the Supervisor's.
 */
export class Service extends EventEmitter<{ state: [StateChange]; event: [SupervisorEvent]; log: [LogLine & { instance: number }] }> {
  readonly name: string;
  readonly listenOptions: ResolvedListen | null;
  #options: ServiceOptions;
  readonly #resolved: ResolvedSupervisorOptions;
  readonly #logs: SupervisorLogs;
  readonly #guard: OrphanGuard | false;
  readonly #ownsGuard: boolean;
  #desired: number;
  /** The instances, by slot (their `SVC_INSTANCE`). */
  #members: Supervisor[] = [];
  /** Replacements being started by a reload, and removed instances being stopped by a scale-down. */
  #transient = new Set<Supervisor>();
  #socket: ListenSocket | null = null;
  #state: SupervisorState = 'stopped';
  #serial = 0;
  #closed = false;
  #busy = 0;
  #queueTail: Promise<unknown> = Promise.resolve();
  #pending: Pending | null = null;
  #current: Pending | null = null;
  #reloading = false;
  /** Each reload with new options is its own queued call (never merged with another). */
  #reconfigurations = 0;
  #reloads = 0;
  #lastReload: ServiceSummary['lastReload'] = null;
  readonly #recent = {
    stdout: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
    stderr: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
    events: new RecentLines(RECENT_LINES.maxLines, RECENT_LINES.maxBytes),
  };

  constructor(options: ServiceOptions) {
    super();
    const checked = checkServiceOptions(options);
    this.#resolved = checked.resolved;
    this.name = checked.resolved.name;
    this.#desired = checked.instances;
    this.listenOptions = checked.listen;
    this.#options = options;
    ensurePrivateDir(this.#resolved.logDir);
    if (this.#resolved.runDir !== this.#resolved.logDir) ensurePrivateDir(this.#resolved.runDir);
    this.#logs = openServiceLogs(this.#resolved, this.name);
    for (const stream of ['stdout', 'stderr'] as const) {
      this.#logs[stream].on('write-error', (error) =>
        this.#record('log-error', { stream, error: (error as NodeJS.ErrnoException).code ?? error.message, droppedLines: this.#logs[stream].stats.droppedLines }),
      );
    }
    if (options.orphanGuard === undefined) {
      this.#guard = createOrphanGuard();
      this.#ownsGuard = true;
    } else {
      this.#guard = options.orphanGuard;
      this.#ownsGuard = false;
    }
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** The instances in slot order (during a reload, a slot's old instance until its replacement is ready). */
  get instances(): readonly Supervisor[] {
    return [...this.#members];
  }

  get desiredInstances(): number {
    return this.#desired;
  }

  logPath(stream: LogStream): string {
    return this.#logs[stream].path;
  }

  get eventLogPath(): string {
    return this.#logs.events.path;
  }

  // ---- control -------------------------------------------------------------------------------

  /** Starts every instance (binding the socket first); resolves when all run, rejects with the first failure. */
  start(): Promise<void> {
    return this.#enqueue('start', () => this.#doStart());
  }

  /** Gracefully stops every instance, then closes the socket. */
  stop(): Promise<void> {
    return this.#enqueue('stop', async () => {
      await this.#stopAll();
      this.#closeSocket('stopped');
    });
  }

  /** Stops every instance and starts them again; the socket stays open (connections wait). */
  restart(): Promise<void> {
    return this.#enqueue('restart', async () => {
      await this.#stopAll();
      await this.#doStart();
    });
  }

  /**
   * Replaces the instances one by one without refusing a connection: start a replacement, wait
   * until it is ready, then stop the old one gracefully. A replacement that does not become ready
   * is stopped and the reload ends with ReloadFailedError; the instances not yet replaced keep
   * running. Without `listen`, restarts instead (`mode: 'restart'` with a warning).
   */
  reload(options?: ServiceOptions): Promise<ReloadResult> {
    if (options === undefined) return this.#enqueue('reload', () => this.#doReload());
    // Checked before anything happens: an invalid definition changes nothing.
    const checked = checkServiceOptions(options);
    if (checked.resolved.name !== this.name) throw new InvalidOptionsError('name', checked.resolved.name, `the service's own name, ${this.name}`);
    if (!sameListen(checked.listen, this.listenOptions)) {
      throw new InvalidOptionsError('listen', options.listen ?? null, `the current ${JSON.stringify(this.listenOptions)}: the socket outlives reloads; stop and start the service to change it`);
    }
    return this.#enqueue(`reload:${++this.#reconfigurations}`, async () => {
      this.#options = options;
      const result = await this.#doReload();
      if (checked.instances !== this.#desired) await this.#doScale(checked.instances);
      return result;
    });
  }

  /** Changes the number of instances: new ones start (resolves when ready), removed ones stop gracefully. */
  scale(instances: number): Promise<void> {
    const count = resolveInstances(instances);
    return this.#enqueue(`scale:${count}`, () => this.#doScale(count));
  }

  /** Stops the service and releases its files, socket and guard. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stop();
    this.#closed = true;
    // The members stay listed: their final stats (a failure, the last exit) outlive the close.
    await Promise.all(this.#members.map((m) => m.close()));
    await Promise.all([this.#logs.stdout.close(), this.#logs.stderr.close()]);
    await this.#logs.events.close();
    if (this.#ownsGuard && this.#guard) this.#guard.close();
    this.removeAllListeners();
  }

  // ---- reporting -----------------------------------------------------------------------------

  summary(): ServiceSummary {
    return {
      state: this.#state,
      instances: this.#desired,
      listen: this.#socket ? { host: this.#socket.host, port: this.#socket.port } : null,
      reloading: this.#reloading,
      reloads: this.#reloads,
      lastReload: this.#lastReload,
    };
  }

  /** One row per instance (replacements being started included), each with the service summary. */
  stats(): InstanceStats[] {
    const service = this.summary();
    const all = [...this.#members, ...this.#transient];
    if (all.length === 0) return [{ ...idleStats(this.name), service }];
    return all.map((m) => ({ ...m.stats(), service }));
  }

  /** The last stderr lines of the instances (the most recent failure's first). */
  get stderrTail(): string[] {
    const tails = [...this.#members, ...this.#transient].map((m) => m.stderrTail).filter((t) => t.length > 0);
    return tails[0] ?? [];
  }

  get failure(): string | null {
    return this.#members.map((m) => m.stats().failure).find((f) => f !== null) ?? null;
  }

  /** See Supervisor.recent: lines of every instance, in the order they arrived. */
  recent(stream: LogStream | 'events', lines: number): string[] {
    return this.#recent[stream].last(lines);
  }

  /** The last `lines` lines of a log file (across one rotation). */
  tail(stream: LogStream | 'events', lines: number): string[] {
    return tailLog(stream === 'events' ? this.eventLogPath : this.logPath(stream), lines);
  }

  async flushLogs(): Promise<void> {
    await Promise.all([this.#logs.stdout.flush(), this.#logs.stderr.flush(), this.#logs.events.flush()]);
  }

  // ---- internals -----------------------------------------------------------------------------

  #enqueue<T>(kind: string, operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError(`service ${this.name}`));
    if (this.#pending?.kind === kind) return this.#pending.promise as Promise<T>;
    // A start asked for while one is under way (and nothing queued behind it) gets its outcome.
    if (kind === 'start' && this.#pending === null && this.#current?.kind === 'start') return this.#current.promise as Promise<T>;
    const op: Pending = { kind, promise: Promise.resolve() };
    const promise = this.#queueTail.then(async () => {
      if (this.#pending === op) this.#pending = null;
      this.#current = op;
      this.#busy++;
      try {
        return await operation();
      } finally {
        this.#busy--;
        if (this.#current === op) this.#current = null;
        this.#updateState('settled');
      }
    });
    op.promise = promise;
    this.#pending = op;
    // The queue only orders operations; each caller gets its own outcome.
    this.#queueTail = promise.catch(() => undefined);
    return promise;
  }

  async #doStart(): Promise<void> {
    await this.#openSocket();
    while (this.#members.length < this.#desired) this.#members.push(this.#create(this.#members.length));
    const results = await Promise.allSettled(this.#members.map((m) => m.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async #stopAll(): Promise<void> {
    await Promise.all([...this.#members, ...this.#transient].map((m) => m.stop()));
  }

  async #doReload(): Promise<ReloadResult> {
    if (this.#members.length === 0 || INACTIVE.includes(this.#state)) {
      const warning = `${this.name} was not running, so reload started it.`;
      this.#record('reload-fallback', { warning });
      await this.#doStart();
      return { mode: 'restart', replaced: 0, warning };
    }
    if (!this.listenOptions) {
      const warning = `${this.name} has no listen socket to hand over, so reload restarts it (stop, then start): connections are refused meanwhile. Declare listen to reload without downtime.`;
      this.#record('reload-fallback', { warning });
      await this.#stopAll();
      await this.#doStart();
      return { mode: 'restart', replaced: 0, warning };
    }
    await this.#openSocket();
    this.#reloading = true;
    this.#record('reload-started', { instances: this.#members.length });
    let replaced = 0;
    try {
      for (let slot = 0; slot < this.#members.length; slot++) {
        const old = this.#members[slot]!;
        const replacement = this.#create(slot);
        this.#transient.add(replacement);
        try {
          await startOnce(replacement);
        } catch (error) {
          this.#transient.delete(replacement);
          const stats = replacement.stats();
          const tail = replacement.stderrTail;
          await replacement.close();
          const reason = error instanceof Error ? error.message : String(error);
          this.#record('reload-failed', { instance: slot, replaced, reason, stderrTail: tail });
          throw new ReloadFailedError(this.name, slot, replaced, reason, stats.lastExit ? { code: stats.lastExit.code, signal: stats.lastExit.signal } : null, tail);
        }
        this.#members[slot] = replacement;
        this.#transient.delete(replacement);
        this.#transient.add(old);
        const oldPid = old.pid;
        await old.close();
        this.#transient.delete(old);
        replaced++;
        this.#record('instance-replaced', { instance: slot, oldPid, pid: replacement.pid });
      }
      this.#reloads++;
      this.#lastReload = { at: new Date().toISOString(), ok: true, error: null };
      this.#record('reload-done', { replaced });
      return { mode: 'reload', replaced, warning: null };
    } catch (error) {
      this.#lastReload = { at: new Date().toISOString(), ok: false, error: error instanceof Error ? error.message : String(error) };
      throw error;
    } finally {
      this.#reloading = false;
    }
  }

  async #doScale(count: number): Promise<void> {
    const from = this.#desired;
    this.#desired = count;
    this.#record('scale', { from, to: count });
    const active = this.#members.length > 0 && this.#state !== 'stopped' && this.#state !== 'failed';
    if (!active) {
      // Not running: the number applies at the next start.
      return;
    }
    if (count < this.#members.length) {
      const removed = this.#members.splice(count);
      for (const m of removed) this.#transient.add(m);
      await Promise.all(
        removed.map(async (m) => {
          await m.close();
          this.#transient.delete(m);
        }),
      );
      return;
    }
    const added: Supervisor[] = [];
    while (this.#members.length < count) {
      const m = this.#create(this.#members.length);
      this.#members.push(m);
      added.push(m);
    }
    const results = await Promise.allSettled(added.map((m) => m.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  #create(slot: number): Supervisor {
    const serial = this.#serial++;
    const { instances: _instances, listen: _listen, orphanGuard: _guard, ...supervisorOptions } = this.#options;
    const member = new Supervisor(
      { ...supervisorOptions, instance: slot, orphanGuard: this.#guard },
      {
        key: serial === 0 ? this.name : `${this.name}@${serial}`,
        logs: this.#logs,
        ...(this.#socket ? { listen: { fd: this.#socket.fd, name: this.name } } : {}),
      },
    );
    member.on('state', () => this.#updateState('instance'));
    member.on('event', (event) => {
      this.#recent.events.push(JSON.stringify(event));
      this.emit('event', event);
    });
    member.on('log', (line) => {
      this.#recent[line.stream].push(line.line);
      if (this.listenerCount('log') > 0) this.emit('log', { ...line, instance: slot });
    });
    return member;
  }

  async #openSocket(): Promise<void> {
    const l = this.listenOptions;
    if (!l || this.#socket) return;
    this.#socket = await bindListenSocket(this.name, l.host, l.port, l.backlog);
    this.#record('listening', { host: this.#socket.host, port: this.#socket.port, backlog: l.backlog });
  }

  #closeSocket(reason: string): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    socket.close();
    this.#record('socket-closed', { host: socket.host, port: socket.port, reason });
  }

  #updateState(reason: string): void {
    const next = serviceState(this.#members.map((m) => m.state));
    if (next !== this.#state) {
      const from = this.#state;
      this.#state = next;
      this.emit('state', { from, to: next, reason });
    }
    // Every instance gave up (or exited for good) outside a control call: nothing accepts on the
    // socket any more, so close it rather than let connections wait in the backlog for nobody.
    if (this.#busy === 0 && this.#socket && INACTIVE.includes(next) && this.#transient.size === 0) this.#closeSocket(next);
  }

  #record(type: SupervisorEventType, fields: Record<string, unknown>): void {
    const event: SupervisorEvent = { time: new Date().toISOString(), service: this.name, instance: -1, type, ...fields };
    const line = JSON.stringify(event);
    this.#recent.events.push(line);
    this.#logs.events.writeLine(line);
    this.emit('event', event);
  }
}

function checkServiceOptions(options: ServiceOptions): { resolved: ResolvedSupervisorOptions; instances: number; listen: ResolvedListen | null } {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('options', options, 'an object');
  if ('instance' in options) throw new InvalidOptionsError('instance', (options as { instance?: unknown }).instance, 'no instance: a Service numbers its instances itself');
  const resolved = resolveSupervisorOptions(options);
  const instances = resolveInstances(options.instances ?? SERVICE_DEFAULTS.instances);
  const listen = resolveListen(options.listen ?? null);
  if (listen && (resolved.readiness.type === 'tcp' || resolved.readiness.type === 'http')) {
    throw new InvalidOptionsError(
      'readiness.type',
      resolved.readiness.type,
      'notify or none with listen: the shared socket answers a tcp probe itself, and an http probe can reach another instance',
    );
  }
  if (resolved.lock && (instances > 1 || listen)) {
    throw new InvalidOptionsError('lock', '(set)', 'one instance without listen: leader election runs a single copy, across hosts');
  }
  return { resolved, instances, listen };
}

function sameListen(a: ResolvedListen | null, b: ResolvedListen | null): boolean {
  return a === b || (a !== null && b !== null && a.port === b.port && a.host === b.host && a.backlog === b.backlog);
}

/** Starts a replacement and resolves once it is running; its first failure (no retry) rejects. */
function startOnce(member: Supervisor): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onState = ({ to, reason }: StateChange) => {
      if (to === 'running') {
        member.off('state', onState);
        resolve();
      } else if (to === 'backoff' || to === 'crashed' || to === 'failed' || to === 'stopped') {
        member.off('state', onState);
        const exit = member.stats().lastExit;
        const how = exit === null ? to : exit.code !== null ? `exited with code ${exit.code}` : `ended by ${exit.signal ?? 'a signal'}`;
        reject(new Error(`${how} before it was ready (${reason})`));
      }
    };
    member.on('state', onState);
    member.start().catch((error: unknown) => {
      member.off('state', onState);
      reject(isSupervisorError(error) ? new Error(error.message) : (error as Error));
    });
  });
}

function resolveInstances(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > SERVICE_DEFAULTS.maxInstances) {
    throw new InvalidOptionsError('instances', value, `an integer from 1 to ${SERVICE_DEFAULTS.maxInstances}`);
  }
  return value;
}

function resolveListen(value: unknown): ResolvedListen | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidOptionsError('listen', value, 'an object { port, host?, backlog? }');
  const { port, host = SERVICE_DEFAULTS.listen.host, backlog = SERVICE_DEFAULTS.listen.backlog, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new InvalidOptionsError(`listen.${unknown}`, rest[unknown], 'no such option (port, host, backlog)');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionsError('listen.port', port, 'an integer from 0 to 65535 (0 picks a free port)');
  }
  if (typeof host !== 'string' || host === '' || host.length > 253) throw new InvalidOptionsError('listen.host', host, 'a host name or IP address');
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 1 || backlog > 65_535) {
    throw new InvalidOptionsError('listen.backlog', backlog, 'an integer from 1 to 65535');
  }
  return { port, host, backlog };
}

function idleStats(name: string): SupervisorStats {
  return {
    name,
    instance: 0,
    state: 'stopped',
    pid: null,
    spawns: 0,
    restarts: 0,
    crashes: 0,
    startFailures: 0,
    uptimeMs: 0,
    lastExit: null,
    memoryBytes: null,
    cpuPercent: null,
    processes: null,
    status: null,
    droppedLogLines: 0,
    logBufferedBytes: 0,
    nextRestartInMs: null,
    failure: null,
    fencingToken: null,
  };
}
