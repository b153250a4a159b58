import type { ResolvedSupervisorOptions } from './options.js';
import { probeHttp, probeTcp } from './probe.js';
import type { Run } from './run.js';

/**
 * The wait before the second http/tcp probe; each later wait doubles, up to `readiness.interval`.
 * A service that binds its port within a few milliseconds is seen ready within about as much,
 * not an interval later (`svc start` returns when it is ready), and one that takes seconds is
 * probed every interval: 10, 20, 40, 80, 100, 100… ms with the default interval.
 */
export const FIRST_PROBE_GAP_MS = 10;

/** A start being waited for: READY=1 goes to `ready`, EXTEND_TIMEOUT_USEC= to `extend`. */
export interface StartWait {
  ready(): void;
  extend(ms: number): boolean;
}

/**
 * Waits until `run` is ready the way `readiness.type` says: at once for `none`; by polling for
 * `http` (a 2xx) and `tcp` (an accepted connection), the first probe at once and the gaps
 * growing from FIRST_PROBE_GAP_MS to `readiness.interval`; for `notify` the caller passes READY=1
 * to `ready` of what this returns. Either way `ready` is called only once the run has also stayed
 * up for `readiness.startWindow` since its spawn. `timedOut` is called when `readiness.timeout`
 * passes first; `extend(ms)` of what this returns (EXTEND_TIMEOUT_USEC=) moves that deadline to no
 * sooner than `ms` from now, and says false when there is no start timeout left to extend.
 */
export function awaitReadiness(
  r: ResolvedSupervisorOptions['readiness'],
  run: Run,
  now: () => number,
  hooks: { ready: () => void; timedOut: () => void },
): StartWait {
  let passed = false;
  // Timers fire on whole milliseconds: a wait may end a fraction early, so the window is measured
  // again when it does, and waited out to its end.
  const afterWindow = () => {
    if (run.exited || run.cause !== null) return;
    const leftMs = run.spawnedAt + r.startWindowMs - now();
    if (leftMs <= 0) hooks.ready();
    else run.timers.set(Math.ceil(leftMs), afterWindow);
  };
  const ready = () => {
    if (passed || run.exited || run.cause !== null) return;
    passed = true;
    afterWindow();
  };
  if (r.type === 'none') {
    ready();
    return { ready, extend: () => false };
  }
  let deadline = now() + r.timeoutMs;
  const due = () => {
    if (run.readyAt !== null || run.exited) return;
    const leftMs = deadline - now();
    if (leftMs > 0) run.timers.set(Math.ceil(leftMs), due);
    else hooks.timedOut();
  };
  run.timers.set(r.timeoutMs, due);
  const extend = (ms: number) => {
    if (run.readyAt !== null || run.exited || run.cause !== null) return false;
    deadline = Math.max(deadline, now() + ms);
    return true;
  };
  if (r.type !== 'http' && r.type !== 'tcp') return { ready, extend };
  const probeTimeoutMs = Math.max(r.intervalMs, 1000);
  let gapMs = Math.min(FIRST_PROBE_GAP_MS, r.intervalMs);
  const poll = async () => {
    if (run.exited || run.readyAt !== null || run.cause !== null) return;
    const ok = r.type === 'http' ? await probeHttp(r.url!, probeTimeoutMs) : await probeTcp(r.host, r.port!, probeTimeoutMs);
    if (ok) ready();
    else {
      run.timers.set(gapMs, () => void poll());
      gapMs = Math.min(gapMs * 2, r.intervalMs);
    }
  };
  void poll();
  return { ready, extend };
}
