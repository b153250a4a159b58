export { createHealth, type Health } from './health.js';
export {
  DEFAULTS,
  MIN_TOKEN_LENGTH,
  type EndpointName,
  type HealthLogger,
  type HealthOptions,
  type HealthPaths,
  type NotifyMode,
  type ResolvedHealthOptions,
} from './options.js';
export { HEALTH_STATES, type HealthState } from './state.js';
export {
  CHECK_DEFAULTS,
  type CheckContext,
  type CheckFn,
  type CheckOptions,
  type CheckOutcome,
  type CheckResult,
  type CheckStatus,
} from './check-registry.js';
export { thresholdCheck, THRESHOLD_CHECK_DEFAULTS, type ThresholdCheckOptions } from './threshold-check.js';
export { eventLoopDelayCheck, EVENT_LOOP_CHECK_DEFAULTS, type EventLoopDelayCheckOptions } from './event-loop-check.js';
export { memoryCheck, type MemoryCheckOptions } from './memory-check.js';
export { CHECK_CODES, RESPONSE_CODES, type CheckCode, type ResponseCode } from './codes.js';
export type { HealthRequestListener } from './http-handler.js';
export { REQUEST_METRICS_DEFAULTS, type InstrumentOptions } from './request-options.js';
export { HTTP_METHODS, OTHER_METHOD, UNMATCHED_ROUTE, OTHER_ROUTE, ABORTED_STATUS_CLASS } from './request-labels.js';
export type { RequestInstrumentation } from './request-instrumenter.js';
export type { FastifyLike, InstrumentTarget } from './server-instrumentation.js';
export type { HealthReport, OverallStatus } from './report.js';
export {
  ERROR_CODES,
  ClosedError,
  DuplicateCheckError,
  HealthError,
  InvalidCheckError,
  InvalidOptionError,
  InvalidStateError,
  NotifyError,
  isHealthError,
  type HealthErrorCode,
} from './errors.js';
