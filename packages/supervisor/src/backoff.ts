export interface BackoffOptions {
  delayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Fraction in [0, 1]: the delay is spread uniformly over ±jitter around the nominal value. */
  jitter: number;
}

/** The nominal delay before restart number `attempt` (1 = first restart after a stable run). */
export function nominalDelayMs(attempt: number, options: BackoffOptions): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(options.maxDelayMs, options.delayMs * options.factor ** exponent);
}

/**
 * The delay with jitter, never above maxDelay, never negative. Jitter spreads restarts of
 * services that crashed together (a shared database went away) so they do not come back in step.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const nominal = nominalDelayMs(attempt, options);
  const spread = nominal * options.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(options.maxDelayMs, Math.round(nominal + spread)));
}
