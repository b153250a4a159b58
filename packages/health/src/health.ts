import type { Registry } from 'prom-client';
import { CheckRegistry, type CheckFn, type CheckOptions } from './check-registry.js';
import { ClosedError } from './errors.js';
import { startHeartbeat, type Heartbeat } from './heartbeat.js';
import { createHttpHandler, type HealthRequestListener } from './http-handler.js';
import { createHealthMetrics } from './metrics.js';
import { statusLine, type NotifyLine } from './notifier.js';
import { ENDPOINT_NAMES, resolveHealthOptions, type HealthOptions } from './options.js';
import { overallStatus, type HealthReport } from './report.js';
import { createRequestInstrumenter, type RequestInstrumentation } from './request-instrumenter.js';
import type { InstrumentOptions } from './request-options.js';
import type { InstrumentTarget } from './server-instrumentation.js';
import { assertTransition, type HealthState } from './state.js';
import { linkToSupervisor } from './supervisor-env.js';

export interface Health {
  /** The current lifecycle state. */
  readonly state: HealthState;
  /** The prom-client registry holding this handle's metrics (its own unless one was given). */
  readonly registry: Registry;
  /** The paths the handler answers, for frameworks that register routes one by one. */
  readonly paths: readonly string[];
  /** How the supervisor is reached: 'ipc', 'socket', 'systemd' or 'none'. */
  readonly notifyVia: 'ipc' | 'socket' | 'systemd' | 'none';
  /** The heartbeat period in ms, or null when no heartbeat is sent. */
  readonly heartbeatIntervalMs: number | null;
  /** node:http request listener and Express middleware; returns true when it answered. */
  readonly handler: HealthRequestListener;
  /**
   * Moves the state forward (starting → ready → draining → stopped; the same state again is a
   * no-op). 'ready' tells the supervisor READY=1, 'draining' (or 'stopped' straight from ready)
   * STOPPING=1; 'stopped' ends the heartbeat.
   */
  setState(state: HealthState): void;
  /** setState('ready'), resolving once the supervisor has been told (rejects with EHEALTH_NOTIFY_FAILED). */
  ready(): Promise<void>;
  /** Sends STATUS=<text> to the supervisor (one line; control characters become spaces). */
  sendStatus(text: string): Promise<void>;
  addCheck(name: string, fn: CheckFn, options?: CheckOptions): void;
  removeCheck(name: string): boolean;
  /** Runs the checks (through the cache) and returns every field of every result. */
  check(): Promise<HealthReport>;
  /**
   * Counts a server's requests (by method, status class and route pattern, with a duration
   * histogram), its requests in flight and its open connections, in this handle's registry.
   * `target`: a node:http / node:https server (Express: the one `app.listen()` returns), or a
   * Fastify instance before it listens. Call it before the server accepts connections.
   */
  instrument(target: InstrumentTarget, options?: InstrumentOptions): RequestInstrumentation;
  /** Stops the heartbeat, closes the notify connection, releases the checks' monitors, uninstalls every instrument() and unregisters the metrics. */
  close(): void;
}

export function createHealth(options: HealthOptions = {}): Health {
  const resolved = resolveHealthOptions(options);
  const link = linkToSupervisor({
    mode: resolved.notify,
    env: resolved.env,
    heartbeatIntervalMs: resolved.heartbeatIntervalMs,
    systemdNotifyCommand: resolved.systemdNotifyCommand,
    send: process.send?.bind(process),
    pid: process.pid,
  });
  const { notifier } = link;

  let state: HealthState = 'starting';
  let hasBeenReady = false;
  let closed = false;
  let readyNotification: Promise<void> | undefined;

  // Created before the metrics, whose hooks close over it; onRun is only called after both exist.
  // eslint-disable-next-line prefer-const -- assigned once, just below
  let metrics: ReturnType<typeof createHealthMetrics>;
  const checks = new CheckRegistry({
    cacheMs: resolved.cacheMs,
    checkTimeoutMs: resolved.checkTimeoutMs,
    now: resolved.now,
    onRun: (result) => metrics.observeRun(result),
  });
  metrics = createHealthMetrics({
    registry: resolved.registry,
    ownsRegistry: options.registry === undefined,
    prefix: resolved.metricsPrefix,
    defaultMetrics: resolved.defaultMetrics,
    state: () => state,
    results: () => checks.runAll(),
  });

  let heartbeat: Heartbeat | undefined =
    link.heartbeatIntervalMs === null ? undefined : startHeartbeat(notifier, link.heartbeatIntervalMs, resolved.logger);

  /** Fire-and-forget for state changes: a failure is logged, and a caller of ready() still sees it. */
  const tell = (line: NotifyLine): Promise<void> => {
    if (closed) return Promise.resolve();
    const sending = notifier.send(line);
    sending.catch((error: unknown) => {
      resolved.logger.warn((error as Error).message, { code: 'EHEALTH_NOTIFY_FAILED', via: notifier.via });
    });
    return sending;
  };

  const setState = (next: HealthState): void => {
    assertTransition(state, next);
    if (next === state) return;
    const previous = state;
    state = next;
    if (next === 'ready') {
      hasBeenReady = true;
      readyNotification = tell('READY=1');
    }
    if (next === 'draining' || (next === 'stopped' && previous !== 'draining')) void tell('STOPPING=1').catch(logged);
    if (next === 'stopped') {
      heartbeat?.stop();
      heartbeat = undefined;
    }
  };

  const requests = createRequestInstrumenter({
    registry: resolved.registry,
    prefix: resolved.metricsPrefix,
    logger: resolved.logger,
    now: resolved.now,
  });
  const handler = createHttpHandler({
    options: resolved,
    checks,
    metrics,
    registry: resolved.registry,
    logger: resolved.logger,
    state: () => state,
    hasBeenReady: () => hasBeenReady,
    answered: (req, path) => requests.probeAnswered(req, path),
  });

  const paths = ENDPOINT_NAMES.flatMap((name) => {
    const path = resolved.paths[name];
    return path === false || (name === 'detailed' && resolved.detailed === false) ? [] : [path];
  });

  return {
    get state() {
      return state;
    },
    registry: resolved.registry,
    paths,
    notifyVia: notifier.via,
    heartbeatIntervalMs: link.heartbeatIntervalMs,
    handler,
    setState,
    async ready() {
      if (closed) throw new ClosedError('ready');
      setState('ready');
      await readyNotification;
    },
    sendStatus(text) {
      if (closed) return Promise.reject(new ClosedError('sendStatus'));
      return notifier.send(statusLine(text));
    },
    addCheck(name, fn, checkOptions) {
      if (closed) throw new ClosedError('addCheck');
      checks.add(name, fn, checkOptions);
    },
    removeCheck(name) {
      const removed = checks.remove(name);
      if (removed) metrics.forgetCheck(name);
      return removed;
    },
    async check() {
      const results = await checks.runAll();
      return { status: overallStatus(results), state, checks: results };
    },
    instrument(target, instrumentOptions) {
      if (closed) throw new ClosedError('instrument');
      return requests.instrument(target, instrumentOptions);
    },
    close() {
      if (closed) return;
      closed = true;
      heartbeat?.stop();
      heartbeat = undefined;
      notifier.close();
      checks.close();
      requests.close();
      metrics.close();
    },
  };
}

/** The failure was already logged by tell(); this only marks the derived promise as handled. */
function logged(): void {}
