import type { OptionChecker } from './option-checks.js';
import type { ResolvedSupervisorOptions } from './options.js';

/**
 * The rules of `type: oneshot`, where other options would promise what a task that runs to its
 * end cannot keep: it never becomes "ready" while it runs (its start is its whole run, ended by its
 * exit), so a readiness check, a start window and liveness probes have nothing to act on; `always`
 * would run it again after every success (systemd refuses Restart=always for Type=oneshot too);
 * a leader lease is held by what keeps running.
 */
export function checkOneshot(c: OptionChecker, raw: Record<string, unknown>, resolved: ResolvedSupervisorOptions): void {
  const section = (key: string) => (raw[key] !== null && typeof raw[key] === 'object' ? (raw[key] as Record<string, unknown>) : {});
  const readiness = section('readiness');
  const liveness = section('liveness');
  if (resolved.readiness.type !== 'none') {
    c.fail('readiness.type', readiness.type, 'none (or no readiness) with type oneshot: its start is its whole run, and its exit code says how it went');
  }
  if (readiness.startWindow !== undefined) c.fail('readiness.startWindow', readiness.startWindow, 'no start window with type oneshot: it counts as started when it exits 0');
  if (resolved.restart.policy === 'always') {
    c.fail('restart.policy', section('restart').policy, 'on-failure or never with type oneshot: always would run it again after every success');
  }
  if (liveness.heartbeatTimeout !== undefined || liveness.http !== undefined) {
    c.fail(liveness.http !== undefined ? 'liveness.http' : 'liveness.heartbeatTimeout', liveness.http ?? liveness.heartbeatTimeout, 'no liveness check with type oneshot: bound its run with readiness.timeout');
  }
  if (raw.lock !== undefined) c.fail('lock', raw.lock, 'no lock with type oneshot: a leader lease is for what keeps running');
  // A trigger restarts what runs: a oneshot that completed is settled, and would silently not run again.
  const schedule = section('restart').schedule;
  if (schedule !== undefined) c.fail('restart.schedule', schedule, 'no schedule with type oneshot: a completed oneshot is not run again by it (a cron job is not built yet)');
  if (raw.watch !== undefined && raw.watch !== false) c.fail('watch', raw.watch, 'no watch with type oneshot: a completed oneshot is not run again by a change');
}
