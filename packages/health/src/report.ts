import type { CheckResult } from './check-registry.js';
import type { HealthState } from './state.js';

export type OverallStatus = 'pass' | 'warn' | 'fail';

/** What `health.check()` returns: every field of every result, for code in the same process. */
export interface HealthReport {
  status: OverallStatus;
  state: HealthState;
  checks: CheckResult[];
}

/** A failing critical check fails; a failing non-critical one warns. */
export function overallStatus(results: readonly CheckResult[]): OverallStatus {
  let status: OverallStatus = 'pass';
  for (const result of results) {
    if (result.status === 'pass') continue;
    if (result.critical) return 'fail';
    status = 'warn';
  }
  return status;
}

/**
 * The unauthenticated /health body. Built field by field from a fixed list, never by spreading a
 * result: a check's message, observed value or anything added later cannot slip in. A failure
 * shows only its code.
 */
export function summaryBody(status: OverallStatus, state: HealthState, results: readonly CheckResult[]): string {
  const checks: Record<string, { status: string; code?: string }> = {};
  for (const result of results) {
    checks[result.name] = result.status === 'pass' ? { status: 'pass' } : { status: 'fail', code: result.code ?? 'ECHECK_FAILED' };
  }
  return JSON.stringify({ status, state, checks });
}

/** The /health/detailed body: timings, measured values and check messages (never stacks). */
export function detailedBody(status: OverallStatus, state: HealthState, results: readonly CheckResult[], uptimeMs: number): string {
  return JSON.stringify({
    status,
    state,
    uptimeMs: Math.round(uptimeMs),
    checks: results.map((result) => ({
      name: result.name,
      status: result.status,
      critical: result.critical,
      code: result.code,
      message: result.message,
      observed: result.observed,
      unit: result.unit,
      durationMs: Math.round(result.durationMs * 1000) / 1000,
      checkedAt: result.checkedAt,
    })),
  });
}

export function stateBody(status: 'pass' | 'fail', state: HealthState): string {
  return JSON.stringify({ status, state });
}
