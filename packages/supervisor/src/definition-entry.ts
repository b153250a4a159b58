/*
 * `@svc/supervisor/definition`: the rules of a service definition without the supervisor itself —
 * what a config file's validation needs (option checks, units, env files, defaults, limits).
 */
export { DEFINITION_KEYS, checkServiceDefinition, definitionProblems } from './definition.js';
export type { ServiceDefinition } from './definition.js';
export { DEPENDENCY_CONDITIONS, DEFAULT_CONDITION, dependencyProblems, dependenciesOf, dependentsOf, withDependencies } from './dependencies.js';
export type { Dependency, DependencyCondition } from './dependencies.js';
export { SERVICE_DEFAULTS, SERVICE_OPTION_KEYS } from './service-options.js';
export { DEFAULTS, LIMITS, ONESHOT_DEFAULTS, SERVICE_NAME, resolveSupervisorOptions } from './options.js';
export { DAEMON_NODE_ARGS } from './defaults.js';
export type { ResolvedSupervisorOptions, SupervisorOptions } from './options.js';
export { parseDuration, parseSize, readDuration, readSize, MAX_DURATION_MS, MAX_SIZE_BYTES, DURATION_UNITS, SIZE_UNITS } from './units.js';
export { parseEnv, readEnvFile } from './env-file.js';
export { InvalidOptionsError, EnvFileError, isSupervisorError } from './errors.js';
export type { OptionProblem } from './errors.js';
