import type { ResolvedSupervisorOptions } from './options.js';
import { probeHttp, probeTcp } from './probe.js';
import type { Run } from './run.js';

/**
 * Waits until `run` is ready the way `readiness.type` says: at once for `none`; by polling for
 * `http` (a 2xx) and `tcp` (an accepted connection); for `notify` the supervisor calls `ready`
 * itself when READY=1 arrives. `timedOut` is called when `readiness.timeout` passes first.
 */
export function awaitReadiness(
  r: ResolvedSupervisorOptions['readiness'],
  run: Run,
  hooks: { ready: () => void; timedOut: () => void },
): void {
  if (r.type === 'none') {
    hooks.ready();
    return;
  }
  run.timers.set(r.timeoutMs, () => {
    if (run.readyAt === null && !run.exited) hooks.timedOut();
  });
  if (r.type !== 'http' && r.type !== 'tcp') return;
  const probeTimeoutMs = Math.max(r.intervalMs, 1000);
  const poll = async () => {
    if (run.exited || run.readyAt !== null || run.cause !== null) return;
    const ok = r.type === 'http' ? await probeHttp(r.url!, probeTimeoutMs) : await probeTcp(r.host, r.port!, probeTimeoutMs);
    if (ok) hooks.ready();
    else run.timers.set(r.intervalMs, () => void poll());
  };
  void poll();
}
