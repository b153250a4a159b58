import type { OptionProblem } from './errors.js';
import { InvalidOptionsError } from './errors.js';
import { isObject, OptionChecker } from './option-checks.js';
import { readDependsOn, type Dependency, type DependencyCondition } from './dependencies.js';
import { checkServiceWith, SERVICE_OPTION_KEYS, type CheckedServiceOptions, type ServiceOptions } from './service-options.js';

/**
 * A service as a config file (or an ad-hoc `svc start name -- cmd`) declares it: a Service's
 * options without its name (the key it is listed under) and without what its host decides — where
 * its files go, its orphan guard, the environment it inherits (the defining call's), the clocks.
 */
export type ServiceDefinition = Omit<ServiceOptions, 'name' | 'logDir' | 'runDir' | 'orphanGuard' | 'now' | 'random' | 'baseEnv'> & {
  /** What this service needs before it starts, among its project's services (dependencies.ts). */
  dependsOn?: string[] | Record<string, DependencyCondition | null | Partial<Dependency>>;
};

const HOST_DECIDES = ['name', 'logDir', 'runDir', 'orphanGuard', 'now', 'random', 'baseEnv'];

/** The keys a definition may have: anything else is refused by name (a misspelling is never ignored). */
export const DEFINITION_KEYS: readonly string[] = [...SERVICE_OPTION_KEYS.filter((key) => !HOST_DECIDES.includes(key)), 'dependsOn'];
/** The keys of a definition that are its project's business, not the Service's. */
const PROJECT_KEYS = ['dependsOn'];

/** Where the check pretends the files go: nothing is created by a check. */
const NOWHERE = '/nonexistent/svc-definition-check';

/**
 * Every problem of a service definition, with option paths relative to the service (`restart.delay`),
 * by the same rules the Supervisor and the Service apply when they start it: one set of rules,
 * which a config file's validation maps to its own key paths. Reads no file (an `envFile` is
 * checked when it is read, at each spawn). Never throws.
 */
export function definitionProblems(name: string, definition: unknown): OptionProblem[] {
  const c = new OptionChecker();
  checkDefinitionWith(c, name, definition);
  return c.problems;
}

/** The definition checked and resolved; throws InvalidOptionsError listing every problem. */
export function checkServiceDefinition(name: string, definition: unknown): CheckedServiceOptions {
  const c = new OptionChecker();
  const checked = checkDefinitionWith(c, name, definition);
  if (!checked) throw new InvalidOptionsError('definition', definition, 'an object');
  c.throwIfAny();
  return checked;
}

function checkDefinitionWith(c: OptionChecker, name: string, definition: unknown): CheckedServiceOptions | null {
  if (!isObject(definition)) {
    c.fail('definition', definition, 'an object of service options');
    return null;
  }
  c.known('', definition, DEFINITION_KEYS);
  readDependsOn(c, name, definition.dependsOn);
  const own: Record<string, unknown> = {};
  for (const key of DEFINITION_KEYS) if (key in definition && !PROJECT_KEYS.includes(key)) own[key] = definition[key];
  return checkServiceWith(c, { ...own, name, logDir: NOWHERE });
}
