import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedSupervisorOptions } from './options.js';
import { probeHttp } from './probe.js';
import type { Run } from './run.js';
import { signalPid } from './tree-kill.js';

/** A liveness check that failed, with what the event log says about it (`watchdog`: the service sent WATCHDOG=trigger). */
export type LivenessFailure =
  | { check: 'heartbeat'; silentMs: number; timeoutMs: number }
  | { check: 'http'; url: string; failures: number }
  | { check: 'watchdog'; trigger: true };

/**
 * Watches a ready run: the heartbeat (WATCHDOG=1 at least every `run.heartbeatTimeoutMs`, read
 * from `run.lastHeartbeat`) and the HTTP probe (`failureThreshold` failures in a row). Calls
 * `failed` once for the first check that fails; stops with the run.
 */
export function watchLiveness(l: ResolvedSupervisorOptions['liveness'], run: Run, now: () => number, failed: (failure: LivenessFailure) => void): void {
  const over = () => run.exited || run.cause !== null;
  if (run.heartbeatTimeoutMs > 0) {
    // A WATCHDOG_USEC= from the service changes the timeout: the check armed for the old one is
    // dropped (its generation is stale) and one is armed for the new one.
    let generation = 0;
    const arm = () => {
      const mine = ++generation;
      const check = () => {
        if (over() || mine !== generation) return;
        const silentMs = now() - run.lastHeartbeat;
        if (silentMs >= run.heartbeatTimeoutMs) failed({ check: 'heartbeat', silentMs: Math.round(silentMs), timeoutMs: run.heartbeatTimeoutMs });
        else run.timers.set(Math.ceil(run.heartbeatTimeoutMs - silentMs) + 1, check);
      };
      run.timers.set(Math.max(1, Math.ceil(run.lastHeartbeat + run.heartbeatTimeoutMs - now())), check);
    };
    run.rearmHeartbeat = arm;
    arm();
  }
  if (l.http !== null) {
    const url = l.http;
    let failures = 0;
    const probe = async () => {
      if (over()) return;
      const ok = await probeHttp(url, l.timeoutMs);
      if (over()) return;
      failures = ok ? 0 : failures + 1;
      if (failures >= l.failureThreshold) failed({ check: 'http', url, failures });
      else run.timers.set(l.intervalMs, () => void probe());
    };
    run.timers.set(l.intervalMs, () => void probe());
  }
}

function listReports(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // No reports directory yet: no report written.
    return [];
  }
}

/**
 * Asks a hung Node process for a diagnostic report (SIGUSR2, with the `--report-on-signal`
 * options the child environment set) and waits up to `timeoutMs` for the file to appear in
 * `dir`. Resolves with its path, or null when none came (or the run ended first).
 */
export async function captureReport(run: Run, dir: string, timeoutMs: number, now: () => number): Promise<string | null> {
  const before = new Set(listReports(dir));
  signalPid(run.pid, 'SIGUSR2');
  const deadline = now() + timeoutMs;
  while (!run.exited && now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const report = listReports(dir).find((f) => !before.has(f) && f.endsWith('.json'));
    if (report !== undefined) return join(dir, report);
  }
  return null;
}
