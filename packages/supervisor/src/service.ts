import { EventEmitter } from 'node:events';
import { ControlQueue } from './control-queue.js';
import { ReloadFailedError } from './errors.js';
import { Journal } from './journal.js';
import type { LogLine, LogStream, StateChange, SupervisorEvent, SupervisorEventType } from './events.js';
import { firstFailure, startOnce } from './instance-starts.js';
import { bindListenSocket, type ListenSocket } from './listen-socket.js';
import { ensurePrivateDir } from './log-file.js';
import { openServiceLogs } from './log-pipes.js';
import { createOrphanGuard, type OrphanGuard } from './orphan-guard.js';
import type { ResolvedSupervisorOptions } from './options.js';
import { RestartTriggers } from './restart-triggers.js';
import { checkReplacement, checkServiceOptions, instanceOptions, resolveInstances, type CheckedServiceOptions, type ResolvedListen, type ServiceOptions } from './service-options.js';
import { serviceRows, type InstanceStats, type ReloadResult, type ServiceSummary } from './stats.js';
import { serviceState, type SupervisorState } from './states.js';
import { Supervisor } from './supervisor.js';

export { SERVICE_DEFAULTS, type ListenOptions, type ResolvedListen, type ServiceOptions } from './service-options.js';
export { serviceState } from './states.js';
export type { InstanceStats, ReloadResult, ServiceSummary } from './stats.js';

/**
 * One service of N instances: each instance is a Supervisor of its own (restarts, limits,
 * liveness), all writing to the service's log files. With `listen`, the Service binds the port
 * once and hands the socket to every instance, which makes `reload()` (start a replacement, wait
 * until ready, drain the old one, instance by instance) and `scale()` free of refused
 * connections. Control calls are serialised like the Supervisor's (control-queue.ts).
 */
export class Service extends EventEmitter<{ state: [StateChange]; event: [SupervisorEvent]; log: [LogLine & { instance: number }]; settled: [] }> {
  readonly name: string;
  readonly listenOptions: ResolvedListen | null;
  #options: ServiceOptions;
  readonly #resolved: ResolvedSupervisorOptions;
  readonly #journal: Journal;
  readonly #guard: OrphanGuard | false;
  readonly #ownsGuard: boolean;
  readonly #queue: ControlQueue;
  readonly #triggers: RestartTriggers;
  #desired: number;
  /** The instances, by slot (their `SVC_INSTANCE`). */
  #members: Supervisor[] = [];
  /** Replacements being started by a reload, and removed instances being stopped by a scale-down. */
  #transient = new Set<Supervisor>();
  #socket: ListenSocket | null = null;
  #state: SupervisorState = 'stopped';
  /** Why the last start could not bind the listening socket (EADDRINUSE…): the service is `failed` until a start binds it. */
  #bindFailure: string | null = null;
  #serial = 0;
  #closed = false;
  #reloading = false;
  /** Each reload with new options is its own queued call (never merged with another). */
  #reconfigurations = 0;
  #reloads = 0;
  #lastReload: ServiceSummary['lastReload'] = null;

  constructor(options: ServiceOptions) {
    super();
    const checked = checkServiceOptions(options);
    this.#resolved = checked.resolved;
    this.name = checked.resolved.name;
    this.#desired = checked.instances;
    this.listenOptions = checked.listen;
    this.#options = options;
    ensurePrivateDir(this.#resolved.runDir);
    const source = { service: this.name, instance: -1, stderrTailLines: 0 };
    this.#journal = new Journal(openServiceLogs(this.#resolved, this.name), true, source, (event) => this.emit('event', event));
    this.#ownsGuard = options.orphanGuard === undefined;
    this.#guard = options.orphanGuard ?? createOrphanGuard();
    this.#queue = new ControlQueue(`service ${this.name}`, { isClosed: () => this.#closed, afterEach: () => this.#update('settled') });
    this.#triggers = new RestartTriggers(this, { busy: () => this.#queue.busy, record: (type, fields) => this.record(type, fields) });
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** Nothing runs nor will by itself: no control call under way, every instance settled. */
  get isSettled(): boolean {
    return !this.#queue.busy && this.#transient.size === 0 && this.#members.every((m) => m.isSettled);
  }

  /** The instances in slot order (during a reload, a slot's old instance until its replacement is ready). */
  get instances(): readonly Supervisor[] {
    return [...this.#members];
  }

  get desiredInstances(): number {
    return this.#desired;
  }

  logPath(stream: LogStream): string {
    return this.#journal.logPath(stream);
  }

  get eventLogPath(): string {
    return this.#journal.logPath('events');
  }

  // ---- control -------------------------------------------------------------------------------

  /** Starts every instance (binding the socket first); resolves when all run, rejects with the first failure. */
  start(): Promise<void> {
    return this.#queue.run('start', () => this.#doStart());
  }

  /** Gracefully stops every instance, then closes the socket. */
  stop(): Promise<void> {
    // Off now, and again once stopped (a restart queued before this stop turns them on as it starts).
    this.#triggers.end();
    return this.#queue.run('stop', async () => {
      await this.#stopAll();
      this.#triggers.end();
      this.#closeSocket('stopped');
      // A failure to bind is over once someone asked for the stop.
      if (this.#bindFailure !== null) {
        this.#bindFailure = null;
        this.#update('stopped');
      }
    });
  }

  /**
   * Stops every instance and starts them again; the socket stays open (connections wait). With
   * options, the new instances run as they say (checked first, as for reload: same name and listen).
   */
  restart(options?: ServiceOptions): Promise<void> {
    const checked = options === undefined ? null : checkReplacement(options, this.name, this.listenOptions);
    return this.#queue.run(checked ? `restart:${++this.#reconfigurations}` : 'restart', async () => {
      await this.#stopAll();
      if (checked && options) {
        this.#options = options;
        await this.#renewMembers(checked);
      }
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
    if (options === undefined) return this.#queue.run('reload', () => this.#doReload());
    const checked = checkReplacement(options, this.name, this.listenOptions);
    return this.#queue.run(`reload:${++this.#reconfigurations}`, async () => {
      this.#options = options;
      this.#triggers.begin(options);
      const result = await this.#doReload(checked);
      if (checked.instances !== this.#desired) await this.#doScale(checked.instances);
      return result;
    });
  }

  /** Changes the number of instances: new ones start (resolves when ready), removed ones stop gracefully. */
  scale(instances: number): Promise<void> {
    const count = resolveInstances(instances);
    return this.#queue.run(`scale:${count}`, () => this.#doScale(count));
  }

  /** Stops the service and releases its files, socket and guard. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stop();
    this.#closed = true;
    // The members stay listed: their final stats (a failure, the last exit) outlive the close.
    await Promise.all(this.#members.map((m) => m.close()));
    await this.#journal.close();
    if (this.#ownsGuard && this.#guard) await this.#guard.close();
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
    return serviceRows(this.name, [...this.#members, ...this.#transient].map((m) => m.stats()), this.summary(), this.#bindFailure);
  }

  /** The last stderr lines of the instances (the most recent failure's first). */
  get stderrTail(): string[] {
    return [...this.#members, ...this.#transient].map((m) => m.stderrTail).find((t) => t.length > 0) ?? [];
  }

  get failure(): string | null {
    return this.#bindFailure ?? this.#members.map((m) => m.stats().failure).find((f) => f !== null) ?? null;
  }

  /** See Supervisor.recent: lines of every instance, in the order they arrived. */
  recent(stream: LogStream | 'events', lines: number): string[] {
    return this.#journal.recent(stream, lines);
  }

  /** The last `lines` lines of a log file (across one rotation). */
  tail(stream: LogStream | 'events', lines: number): string[] {
    return this.#journal.tail(stream, lines);
  }

  flushLogs(): Promise<void> {
    return this.#journal.flush();
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * The stopped instances were made from the old options: new ones are made from the current
   * `#options`, and go on counting where the old ones stopped.
   */
  async #renewMembers(checked: CheckedServiceOptions): Promise<void> {
    const old = this.#members;
    await Promise.all(old.map((m) => m.close()));
    this.#desired = checked.instances;
    this.#members = old.slice(0, this.#desired).map((m, slot) => this.#create(slot, m));
  }

  async #doStart(): Promise<void> {
    this.#triggers.begin(this.#options);
    try {
      await this.#openSocket();
      this.#bindFailure = null;
    } catch (error) {
      // Nothing was spawned: the service is failed with the reason, as a start that gave up is.
      this.#bindFailure = error instanceof Error ? error.message : String(error);
      this.#update('listen failed');
      throw error;
    }
    while (this.#members.length < this.#desired) this.#members.push(this.#create(this.#members.length));
    await firstFailure(this.#members.map((m) => m.start()));
  }

  async #stopAll(): Promise<void> {
    await Promise.all([...this.#members, ...this.#transient].map((m) => m.stop()));
  }

  /**
   * `renewed`: the options were just replaced. A replacement made by the reload is made from them;
   * the fallbacks (a restart) make every instance from them too, not the old ones again.
   */
  async #doReload(renewed: CheckedServiceOptions | null = null): Promise<ReloadResult> {
    if (this.#members.length === 0 || this.#members.every((m) => m.isSettled)) {
      const warning = `${this.name} was not running, so reload started it.`;
      this.record('reload-fallback', { warning });
      if (renewed) await this.#renewMembers(renewed);
      await this.#doStart();
      return { mode: 'restart', replaced: 0, warning };
    }
    if (!this.listenOptions) {
      const warning = `${this.name} has no listen socket to hand over, so reload restarts it (stop, then start): connections are refused meanwhile. Declare listen to reload without downtime.`;
      this.record('reload-fallback', { warning });
      await this.#stopAll();
      if (renewed) await this.#renewMembers(renewed);
      await this.#doStart();
      return { mode: 'restart', replaced: 0, warning };
    }
    await this.#openSocket();
    this.#reloading = true;
    this.record('reload-started', { instances: this.#members.length });
    let replaced = 0;
    try {
      for (let slot = 0; slot < this.#members.length; slot++) {
        await this.#replace(slot, replaced);
        replaced++;
      }
      this.#reloads++;
      this.#lastReload = { at: new Date().toISOString(), ok: true, error: null };
      this.record('reload-done', { replaced });
      return { mode: 'reload', replaced, warning: null };
    } catch (error) {
      this.#lastReload = { at: new Date().toISOString(), ok: false, error: error instanceof Error ? error.message : String(error) };
      throw error;
    } finally {
      this.#reloading = false;
    }
  }

  /** One step of a reload: the slot's replacement started and ready, then the old instance stopped. */
  async #replace(slot: number, replaced: number): Promise<void> {
    const old = this.#members[slot]!;
    const replacement = this.#create(slot, old);
    this.#transient.add(replacement);
    try {
      await startOnce(replacement);
    } catch (error) {
      this.#transient.delete(replacement);
      const stats = replacement.stats();
      const tail = replacement.stderrTail;
      await replacement.close();
      const reason = error instanceof Error ? error.message : String(error);
      this.record('reload-failed', { instance: slot, replaced, reason, stderrTail: tail });
      throw new ReloadFailedError(this.name, slot, replaced, reason, stats.lastExit ? { code: stats.lastExit.code, signal: stats.lastExit.signal } : null, tail);
    }
    this.#members[slot] = replacement;
    this.#transient.delete(replacement);
    this.#transient.add(old);
    const oldPid = old.pid;
    await old.close();
    this.#transient.delete(old);
    this.record('instance-replaced', { instance: slot, oldPid, pid: replacement.pid });
  }

  async #doScale(count: number): Promise<void> {
    const from = this.#desired;
    this.#desired = count;
    this.record('scale', { from, to: count });
    // Not running: the number applies at the next start.
    if (this.#members.length === 0 || this.#state === 'stopped' || this.#state === 'failed') return;
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
    await firstFailure(added.map((m) => m.start()));
  }

  /** A new instance in `slot`; `replacing`: the instance whose counts it carries on. */
  #create(slot: number, replacing?: Supervisor): Supervisor {
    const serial = this.#serial++;
    const { spawns, restarts, crashes, startFailures } = replacing?.stats() ?? { spawns: 0, restarts: 0, crashes: 0, startFailures: 0 };
    const { orphanGuard: _guard, ...supervisorOptions } = instanceOptions(this.#options);
    const member = new Supervisor(
      { ...supervisorOptions, instance: slot, orphanGuard: this.#guard },
      {
        key: serial === 0 ? this.name : `${this.name}@${serial}`,
        logs: this.#journal.logs,
        counts: { spawns, restarts, crashes, startFailures },
        ...(this.#socket ? { listen: { fd: this.#socket.fd, name: this.name, adoptPort: this.listenOptions?.adopt ? this.#socket.port : null } } : {}),
      },
    );
    member.on('state', () => this.#update('instance'));
    member.on('settled', () => this.#update('instance settled'));
    member.on('event', (event) => {
      this.#journal.remember(event);
      this.emit('event', event);
    });
    member.on('log', (line) => {
      this.#journal.line(line.stream, line.line);
      if (this.listenerCount('log') > 0) this.emit('log', { ...line, instance: slot });
    });
    return member;
  }

  async #openSocket(): Promise<void> {
    const l = this.listenOptions;
    if (!l || this.#socket) return;
    this.#socket = await bindListenSocket(this.name, l.host, l.port, l.backlog);
    this.record('listening', { host: this.#socket.host, port: this.#socket.port, backlog: l.backlog });
  }

  #closeSocket(reason: string): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    socket.close();
    this.record('socket-closed', { host: socket.host, port: socket.port, reason });
  }

  #update(reason: string): void {
    const next = this.#bindFailure !== null ? 'failed' : serviceState(this.#members.map((m) => m.state));
    if (next !== this.#state) {
      const from = this.#state;
      this.#state = next;
      this.emit('state', { from, to: next, reason });
    }
    // Every instance gave up (or exited for good) outside a control call: nothing accepts on the
    // socket any more, so close it rather than let connections wait in the backlog for nobody.
    if (this.#socket && this.#members.length > 0 && this.isSettled) this.#closeSocket(next);
    if (this.isSettled) this.emit('settled');
  }

  /** The Service's own event (instance -1): its event log, its recent events, its followers. */
  record(type: SupervisorEventType, fields: Record<string, unknown>): void {
    this.#journal.record(type, fields);
  }
}
