export { createDrain } from './drain.js';
export type { Drain, DrainResult, DrainState } from './drain.js';
export { listen, LISTEN_OPTION_NAMES } from './listen.js';
export type { ListenOptions, ListenResult, ListenSource } from './listen.js';
export { DEFAULTS, LISTEN_DEFAULTS, EXIT_CODES } from './defaults.js';
export { OPTION_NAMES } from './options.js';
export type { DrainOptions, ResolvedDrainOptions, HealthLike, CloseUpgraded } from './options.js';
export type { ShutdownHook, ShutdownHookContext, ShutdownHookOptions, HookResult, HookStatus } from './hooks.js';
export type { DestroyedCounts } from './server-tracker.js';
export { IDLE_GRACE_MS } from './server-tracker.js';
export type { DrainLogger } from './logger.js';
export { planPhases, readStopTimeoutMs, STOP_TIMEOUT_ENV } from './stop-deadline.js';
export type { PhasePlan, PlanInput } from './stop-deadline.js';
export {
  ERROR_CODES,
  DrainError,
  DrainOptionsError,
  DrainEnvError,
  DrainHookError,
  DrainUninstalledError,
  DrainListenError,
  isDrainError,
} from './errors.js';
export type { DrainErrorCode } from './errors.js';
