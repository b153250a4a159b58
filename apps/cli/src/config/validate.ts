import { definitionProblems, dependencyProblems, SERVICE_NAME, type OptionProblem, type ServiceDefinition } from '@svc/supervisor/definition';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { ALL } from '../usage.js';

/*
 * A config file's validation. The file's shape is this module's (an object with `services`, each
 * keyed by a service name); every rule about a service is @svc/supervisor's (definitionProblems),
 * mapped here to the file's key paths. Nothing is restated: the bounds, the units, the rules
 * between options are the supervisor's own, so the file is refused exactly when a start would be.
 */

export interface SvcConfig {
  services: Record<string, ServiceDefinition>;
}

/** The keys a config file takes at its top level (anything else is refused by name). */
export const TOP_LEVEL = ['services'];

function problem(path: string, message: string, value?: unknown): ConfigProblem {
  return value === undefined ? { path, message } : { path, message, value };
}

/** A supervisor problem as the file's: `services.<name>.<option>`, an unknown key named as such. */
function fromOption(name: string, p: OptionProblem): ConfigProblem {
  const path = p.option === 'definition' ? `services.${name}` : `services.${name}.${p.option}`;
  if (p.known) {
    // Named at the object that has it, as a misspelling: `services.api.stop: unknown key "signl"`.
    const key = p.option.split('.').pop()!;
    return problem(path.slice(0, -(key.length + 1)), `unknown key "${key}" (expected one of ${p.known.join(', ')})`);
  }
  return problem(path, `expected ${p.expected}`, p.value);
}

/** The config as written, every problem at once; throws ConfigError naming each by its key path. */
export function validateConfig(raw: unknown, file: string): SvcConfig {
  const problems: ConfigProblem[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, [problem('', 'expected an object with a "services" key', raw)]);
  }
  for (const key of Object.keys(raw)) if (!TOP_LEVEL.includes(key)) problems.push(problem('', `unknown key "${key}" (expected one of ${TOP_LEVEL.join(', ')})`));
  const services = (raw as { services?: unknown }).services;
  if (typeof services !== 'object' || services === null || Array.isArray(services)) {
    problems.push(problem('services', 'expected an object of services, each under its name', services));
    throw new ConfigError(file, problems);
  }
  for (const [name, definition] of Object.entries(services)) {
    if (!SERVICE_NAME.test(name)) {
      problems.push(problem(`services.${name}`, 'a service name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit', name));
      continue;
    }
    if (name === ALL) {
      problems.push(problem(`services.${name}`, `a service cannot be named ${ALL}: svc start ${ALL} and svc stop ${ALL} mean --all`, name));
      continue;
    }
    for (const p of definitionProblems(name, definition)) problems.push(fromOption(name, p));
  }
  // Between services (dependsOn: unknown names, cycles, conditions never met): paths `<name>.dependsOn.<dep>`.
  for (const p of dependencyProblems(services as Record<string, unknown>)) {
    const [name, ...rest] = p.option.split('.');
    problems.push(fromOption(name!, { ...p, option: rest.join('.') }));
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { services: services as Record<string, ServiceDefinition> };
}
