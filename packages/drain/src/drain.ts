import { EXIT_CODES } from './defaults.js';
import { DrainUninstalledError } from './errors.js';
import { HookRegistry, type HookResult, type ShutdownHook, type ShutdownHookOptions } from './hooks.js';
import { resolveDrainOptions, type DrainOptions, type ResolvedDrainOptions } from './options.js';
import { trackServer, type DestroyedCounts } from './server-tracker.js';
import { signalExitCode } from './signals.js';
import { planPhases, readStopTimeoutMs, type PhasePlan } from './stop-deadline.js';
import { listenToSupervisor } from './supervisor-channel.js';

/** `running` until a shutdown begins, then `draining` (readiness 503) → `closing` (refusing new connections, then the listener closed) → `hooks` → `stopped`. */
export type DrainState = 'running' | 'draining' | 'closing' | 'hooks' | 'stopped';

export interface DrainResult {
  reason: string;
  /** Every connection ended by itself and every hook succeeded. */
  clean: boolean;
  exitCode: number;
  /** The deadline passed with connections still open; they were destroyed. */
  timedOut: boolean;
  destroyed: DestroyedCounts;
  /** Requests answered 503 and HTTP/2 streams refused on connections that came while refusing (`refuseNew`). */
  refused: number;
  hooks: HookResult[];
  plan: PhasePlan;
  durationMs: number;
}

export interface Drain {
  readonly state: DrainState;
  /** Starts the shutdown (once; later calls return the same promise) and, unless `exit: false`, exits at its end. */
  shutdown(reason?: string): Promise<DrainResult>;
  /** Registers a hook run after the connections are drained, last registered first. Returns its removal. */
  onShutdown(name: string, fn: ShutdownHook, options?: ShutdownHookOptions): () => void;
  /** Removes every listener and timer this handle added. A shutdown already under way goes on. */
  uninstall(): void;
}

/** Resolves after `ms`, or at once when `cancel` resolves first. */
function delay(ms: number, cancel: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void cancel.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function createDrain(options?: DrainOptions): Drain {
  const resolved: ResolvedDrainOptions = resolveDrainOptions(options);
  const stopTimeoutMs = readStopTimeoutMs(resolved.env);
  const { logger, now } = resolved;
  const hooks = new HookRegistry(resolved.hookTimeoutMs);
  const refuse = resolved.refuseNew ? { retryAfterSeconds: resolved.retryAfterSeconds } : false;
  const trackers = resolved.servers.map((server) => trackServer(server, resolved.closeUpgraded, logger, refuse));
  const signalListeners = new Map<NodeJS.Signals, () => void>();
  let state: DrainState = 'running';
  let installed = true;
  let running: Promise<DrainResult> | undefined;

  const setHealth = (next: 'draining' | 'stopped'): void => {
    try {
      resolved.health?.setState(next);
    } catch (cause) {
      logger.error(`health.setState("${next}") threw; the drain goes on`, { cause: cause instanceof Error ? cause.message : String(cause) });
    }
  };

  const run = async (reason: string): Promise<DrainResult> => {
    const startedAt = now();
    const plan = planPhases({
      timeoutMs: resolved.timeoutMs,
      readinessDelayMs: resolved.readinessDelayMs,
      stopTimeoutMs,
      stopMarginMs: resolved.stopMarginMs,
      hooksShare: resolved.hooksShare,
      hookTimeoutsMs: hooks.timeoutsMs(),
    });

    state = 'draining';
    logger.info('draining', { reason, plan });
    setHealth('draining');
    supervisor?.notifyStopping();
    for (const tracker of trackers) tracker.beginDrain();

    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      deadlineTimer = setTimeout(() => resolve('deadline'), plan.drainTimeoutMs);
    });

    await delay(plan.readinessDelayMs, deadline);

    state = 'closing';
    logger.info('closing', { reason });
    const allClosed = Promise.all(trackers.map((tracker) => tracker.stopAccepting())).then(() => 'closed' as const);
    const ended = await Promise.race([allClosed, deadline]);
    clearTimeout(deadlineTimer);

    const destroyed: DestroyedCounts = { sockets: 0, upgraded: 0, sessions: 0 };
    const timedOut = ended === 'deadline';
    if (timedOut) {
      for (const tracker of trackers) {
        const counts = tracker.destroyAll();
        destroyed.sockets += counts.sockets;
        destroyed.upgraded += counts.upgraded;
        destroyed.sessions += counts.sessions;
      }
      logger.warn('deadline passed: destroyed the connections still open', { timeoutMs: plan.drainTimeoutMs, ...destroyed });
      // Destroyed sockets close on the next turns of the loop; the hooks wait for that, not longer than a second.
      await delay(1_000, allClosed);
    }

    state = 'hooks';
    const remainingMs = (): number =>
      plan.exitDeadlineMs === null ? Number.POSITIVE_INFINITY : plan.exitDeadlineMs - (now() - startedAt);
    const hookResults = await hooks.run(reason, remainingMs, now, logger);

    state = 'stopped';
    setHealth('stopped');
    const clean = !timedOut && hookResults.every((hook) => hook.status === 'ok');
    const result: DrainResult = {
      reason,
      clean,
      exitCode: clean ? EXIT_CODES.clean : EXIT_CODES.unclean,
      timedOut,
      destroyed,
      refused: trackers.reduce((sum, tracker) => sum + tracker.refused, 0),
      hooks: hookResults,
      plan,
      durationMs: now() - startedAt,
    };
    logger.info('stopped', { ...result, hooks: hookResults.map(({ name, status, durationMs }) => ({ name, status, durationMs })) });
    if (resolved.exit === false) {
      uninstall();
      removeTrackers();
    } else {
      resolved.exit(result.exitCode);
    }
    return result;
  };

  const shutdown = (reason = 'shutdown()'): Promise<DrainResult> => {
    if (running !== undefined) return running;
    if (!installed) return Promise.reject(new DrainUninstalledError('shut down'));
    running = run(typeof reason === 'string' && reason !== '' ? reason : 'shutdown()');
    return running;
  };

  // Only a second signal forces the exit: a supervisor sends its shutdown message together with
  // its stop signal, so a signal after the message (or the message after a signal) is one request.
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!signalled) {
      signalled = true;
      void shutdown(signal);
      return;
    }
    if (resolved.exit === false) {
      logger.warn(`second ${signal} during the shutdown; exit is disabled, so the drain goes on`);
      return;
    }
    logger.warn(`second ${signal}: exiting now without waiting for the drain`, { state });
    resolved.exit(signalExitCode(signal));
  };

  const supervisor = resolved.ipc ? listenToSupervisor(resolved.env, () => void shutdown('supervisor'), logger) : undefined;

  for (const signal of resolved.signals) {
    const listener = (): void => onSignal(signal);
    signalListeners.set(signal, listener);
    process.on(signal, listener);
  }

  let trackersRemoved = false;
  function removeTrackers(): void {
    if (trackersRemoved) return;
    trackersRemoved = true;
    for (const tracker of trackers) tracker.uninstall();
  }

  function uninstall(): void {
    if (!installed) return;
    installed = false;
    for (const [signal, listener] of signalListeners) process.removeListener(signal, listener);
    signalListeners.clear();
    supervisor?.remove();
    // A shutdown under way still needs its server listeners; it removes them when it ends.
    if (running === undefined || state === 'stopped') removeTrackers();
  }

  return {
    get state() {
      return state;
    },
    shutdown,
    onShutdown(name, fn, hookOptions) {
      if (!installed) throw new DrainUninstalledError('register a shutdown hook');
      return hooks.add(name, fn, hookOptions);
    },
    uninstall,
  };
}
