/**
 * The states of one supervised instance (and, folded, of a service):
 * `standby` waits for a distributed lease before it spawns anything; `starting` is spawned, not
 * ready; `running` is ready; `stopping` has been sent the stop signal; `stopped` ended on request
 * or cleanly; `backoff` waits to restart; `crashed` ended without being asked (a restart may still
 * be decided, see `isSettled`); `failed` means the supervisor gave up; `completed`: a `oneshot`
 * ran to its end and exited 0 (it stays so, like systemd's RemainAfterExit, until started again or stopped).
 */
export type SupervisorState = 'standby' | 'starting' | 'running' | 'stopping' | 'stopped' | 'backoff' | 'crashed' | 'failed' | 'completed';
export const SUPERVISOR_STATES: readonly SupervisorState[] = ['standby', 'starting', 'running', 'stopping', 'stopped', 'backoff', 'crashed', 'failed', 'completed'];

/**
 * States in which nothing more happens by itself once the exit that led there has been handled:
 * `crashed` is one of them only after the restart decision said no (a Supervisor's and a
 * Service's `isSettled` know which). The one predicate every part uses: the daemon to decide it
 * is idle, a Service to close its socket, `svc status` to say what runs.
 */
export const FINAL_STATES: readonly SupervisorState[] = ['stopped', 'crashed', 'failed', 'completed'];

export function isFinalState(state: SupervisorState): boolean {
  return FINAL_STATES.includes(state);
}

/**
 * A final state nobody asked for (`failed`, `crashed`), or a oneshot's `completed` (what a stack's
 * `dependsOn: { x: completed }` looks for): what a daemon keeps to show after it exits.
 */
export function keptAfterExit(state: SupervisorState): boolean {
  return isFinalState(state) && state !== 'stopped';
}

/**
 * The state of a service of several instances: the best one wins, so a service that serves from
 * one instance while another restarts is `running`; it is `stopped` or `failed` only when all are.
 */
export function serviceState(states: readonly SupervisorState[]): SupervisorState {
  if (states.length === 0) return 'stopped';
  const first = states[0]!;
  if (states.every((s) => s === first)) return first;
  const order: SupervisorState[] = ['running', 'starting', 'stopping', 'backoff', 'standby', 'crashed', 'failed', 'completed', 'stopped'];
  return order.find((state) => states.includes(state)) ?? first;
}
