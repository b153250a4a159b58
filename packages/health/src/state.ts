import { InvalidStateError } from './errors.js';

/** The life of a service, in the only order it moves: forward. */
export const HEALTH_STATES = ['starting', 'ready', 'draining', 'stopped'] as const;

export type HealthState = (typeof HEALTH_STATES)[number];

export function isHealthState(value: unknown): value is HealthState {
  return typeof value === 'string' && (HEALTH_STATES as readonly string[]).includes(value);
}

/**
 * Checks a move from `from` to `to`. Moving to the same state is allowed (a no-op: @svc/drain may
 * call setState('draining') again on a second signal); moving backwards is not, because a service
 * that has begun to drain must never report ready again — a load balancer would send it traffic
 * it is about to drop.
 */
export function assertTransition(from: HealthState, to: unknown): asserts to is HealthState {
  if (!isHealthState(to)) throw new InvalidStateError(from, to, `one of ${HEALTH_STATES.join(', ')}`);
  if (HEALTH_STATES.indexOf(to) < HEALTH_STATES.indexOf(from)) {
    const later = HEALTH_STATES.slice(HEALTH_STATES.indexOf(from)).join(', ');
    throw new InvalidStateError(from, to, `a state at or after "${from}" (${later})`);
  }
}
