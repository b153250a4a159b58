import type { SupervisorEventType } from './events.js';
import { createRestartSchedule, type RestartSchedule } from './schedule.js';
import type { ResolvedSchedule } from './schedule-options.js';
import { checkServiceOptions, type ResolvedListen, type ServiceOptions } from './service-options.js';
import type { SupervisorState } from './states.js';
import { createFileWatch, MAX_BURST_PATHS, type FileWatch } from './watch.js';
import type { ResolvedWatch } from './watch-options.js';

/** What the triggers need of their Service: its state, and its own restart and reload (through its control queue). */
export interface TriggeredService {
  readonly name: string;
  readonly state: SupervisorState;
  readonly isSettled: boolean;
  readonly listenOptions: ResolvedListen | null;
  restart(): Promise<void>;
  reload(): Promise<unknown>;
}

export interface TriggerHooks {
  /** A control call (start, stop, restart, reload, scale) is under way. */
  busy(): boolean;
  record(type: SupervisorEventType, fields: Record<string, unknown>): void;
}

type Trigger = 'watch' | 'schedule';

/**
 * A Service's restarts that nobody asked for by command: when its files change (`watch`) and at
 * the times of `restart.schedule`. Each is the Service's own graceful restart, or its reload when
 * it has `listen` (no connection refused), through its control queue: a burst of changes during
 * a restart queues one more restart at most (the queue shares a waiting call). A schedule's time
 * that comes while a control call is under way is skipped, and so is any trigger while the
 * service has ended (failed, or exited for good): starting it again is `svc start`'s. Every fire
 * and every skip is in the event log, with why. On from each start, off from the stop.
 */
export class RestartTriggers {
  #on: { key: string; watch: FileWatch | null; schedule: RestartSchedule | null } | null = null;

  constructor(
    private readonly service: TriggeredService,
    private readonly hooks: TriggerHooks,
  ) {}

  /** On as `options` say, or kept on when they say the same: a changed `watch` or schedule starts anew. */
  begin(options: ServiceOptions): void {
    const { watch, schedule } = checkServiceOptions(options);
    const key = JSON.stringify([watch, schedule]);
    if (this.#on?.key === key) return;
    this.end();
    if (!watch && !schedule) return;
    const on = { key, watch: null as FileWatch | null, schedule: null as RestartSchedule | null };
    this.#on = on;
    if (watch) on.watch = this.#watch(watch);
    if (schedule) on.schedule = this.#schedule(schedule);
  }

  /** Off: no watch, no timer, and a burst not yet settled is dropped. */
  end(): void {
    const on = this.#on;
    this.#on = null;
    on?.watch?.close();
    on?.schedule?.close();
  }

  #watch(watch: ResolvedWatch): FileWatch {
    const files = createFileWatch(watch, {
      settled: (first, paths) => this.#fire('watch', `${first.relative} changed${paths > 1 ? ` (and ${paths - 1}${paths >= MAX_BURST_PATHS ? ' or more' : ''} other paths)` : ''}`, { path: first.relative, paths }),
      capped: (skipped, maxDirs) =>
        this.#record('watch-limit', {
          maxDirs,
          skipped: skipped.relative,
          warning: `${this.service.name} watches at most ${maxDirs} directories: ${skipped.relative} and what is left are not watched; narrow watch.paths or add to watch.ignore`,
        }),
      failed: (target, error) => this.#record('watch-error', { path: target.relative, error: error.code ?? error.message }),
    });
    void files.ready.then(() => {
      if (this.#on?.watch === files) this.#record('watching', { paths: watch.paths, dirs: files.dirs, debounceMs: watch.debounceMs });
    });
    return files;
  }

  #schedule(schedule: ResolvedSchedule): RestartSchedule {
    const why = `schedule ${schedule.expression}${schedule.timeZone ? ` (${schedule.timeZone})` : ''}`;
    const timer = createRestartSchedule(
      schedule,
      () => this.#fire('schedule', why, {}),
      (error) => this.#record('trigger-failed', { by: 'schedule', why, error: error instanceof Error ? error.message : String(error) }),
    );
    this.#record('scheduled', { schedule: schedule.expression, timeZone: schedule.timeZone, next: timer.nextRun()?.toISOString() ?? null });
    return timer;
  }

  #fire(by: Trigger, why: string, fields: Record<string, unknown>): void {
    const on = this.#on;
    if (!on) return;
    const next = by === 'schedule' ? { next: on.schedule?.nextRun()?.toISOString() ?? null } : {};
    const { service } = this;
    if (service.isSettled) {
      this.#record('trigger-skipped', { by, why, because: `${service.name} is ${service.state}, not running: svc start ${service.name} starts it again`, ...fields, ...next });
      return;
    }
    if (by === 'schedule' && this.hooks.busy()) {
      this.#record('trigger-skipped', { by, why, because: 'a start, stop, restart or reload is under way', ...next });
      return;
    }
    const action = service.listenOptions ? 'reload' : 'restart';
    this.#record('triggered', { by, why, action, ...fields, ...next });
    const done = action === 'reload' ? service.reload() : service.restart();
    done.catch((error: unknown) => {
      // The service says how its start failed (its state, its events); this says what set it off.
      if (this.#on === on) this.#record('trigger-failed', { by, why, action, error: error instanceof Error ? error.message : String(error) });
    });
  }

  #record(type: SupervisorEventType, fields: Record<string, unknown>): void {
    this.hooks.record(type, fields);
  }
}
