import type { OptionProblem } from './errors.js';
import { isObject, OptionChecker } from './option-checks.js';
import { SERVICE_NAME } from './defaults.js';

/**
 * `dependsOn`: what a service of a project needs before it starts, and in which state.
 * `started`: spawned; `ready`: its readiness passed (`svc start` of it returned); `completed`: a
 * `type: oneshot` that exited 0. `restart`: a `svc restart` of the dependency restarts this service
 * after it (docker compose's `depends_on.restart`); a restart the daemon makes after a crash does not.
 */
export type DependencyCondition = 'started' | 'ready' | 'completed';
export const DEPENDENCY_CONDITIONS: readonly DependencyCondition[] = ['started', 'ready', 'completed'];

export interface Dependency {
  condition: DependencyCondition;
  restart: boolean;
}

/** The short form `dependsOn: [db]` and a bare name's condition. */
export const DEFAULT_CONDITION: DependencyCondition = 'ready';

/**
 * The `dependsOn` of one definition, read and checked for its shape (names, conditions): `[a, b]`,
 * `{ a: ready }` or `{ a: { condition: ready, restart: true } }`. What it refers to is checked per
 * project (dependencyProblems).
 */
export function readDependsOn(c: OptionChecker, self: string, value: unknown): Record<string, Dependency> {
  const out: Record<string, Dependency> = {};
  if (value === undefined) return out;
  const named = (name: string, path: string): boolean => {
    if (!SERVICE_NAME.test(name)) c.fail(path, name, 'the name of a service of this config');
    else if (name === self) c.fail(path, name, 'another service: a service cannot depend on itself');
    else return true;
    return false;
  };
  if (Array.isArray(value)) {
    value.forEach((name, index) => {
      if (typeof name !== 'string') c.fail(`dependsOn.${index}`, name, 'a service name');
      else if (named(name, `dependsOn.${index}`)) out[name] = { condition: DEFAULT_CONDITION, restart: false };
    });
    return out;
  }
  if (!isObject(value)) {
    c.fail('dependsOn', value, `a list of service names, or an object of service name → ${DEPENDENCY_CONDITIONS.join(' | ')} (or { condition, restart })`);
    return out;
  }
  for (const [name, spec] of Object.entries(value)) {
    const path = `dependsOn.${name}`;
    if (!named(name, path)) continue;
    if (typeof spec === 'string' || spec === null) {
      // `db:` with no value (YAML's null) is the default condition, as in the list form.
      out[name] = { condition: spec === null ? DEFAULT_CONDITION : c.oneOf(path, spec, DEFAULT_CONDITION, DEPENDENCY_CONDITIONS), restart: false };
      continue;
    }
    const long = c.section(path, spec);
    c.known(path, long, ['condition', 'restart']);
    out[name] = { condition: c.oneOf(`${path}.condition`, long.condition, DEFAULT_CONDITION, DEPENDENCY_CONDITIONS), restart: c.bool(`${path}.restart`, long.restart, false) };
  }
  return out;
}

/** The `dependsOn` of a definition as it would be read (problems ignored: see definitionProblems). */
export function dependenciesOf(name: string, definition: unknown): Record<string, Dependency> {
  return isObject(definition) ? readDependsOn(new OptionChecker(), name, definition.dependsOn) : {};
}

/**
 * What a project's dependencies refer to: a service that is not in it, a cycle, a condition its
 * dependency can never meet (`completed` of a service that is not a oneshot, or of a oneshot whose
 * policy is `always`; `ready` of a oneshot, which is never ready while it runs). Option paths are
 * `<service>.dependsOn.<dependency>`.
 */
export function dependencyProblems(services: Record<string, unknown>): OptionProblem[] {
  const c = new OptionChecker();
  const graph = new Map(Object.keys(services).map((name) => [name, dependenciesOf(name, services[name])]));
  const typeOf = (name: string) => (isObject(services[name]) ? services[name].type : undefined) ?? 'simple';
  const policyOf = (name: string) => {
    const restart = isObject(services[name]) ? services[name].restart : undefined;
    return isObject(restart) ? restart.policy : undefined;
  };
  for (const [name, deps] of graph) {
    for (const [dep, { condition }] of Object.entries(deps)) {
      const path = `${name}.dependsOn.${dep}`;
      if (!graph.has(dep)) c.fail(path, dep, `a service of this config (${[...graph.keys()].filter((n) => n !== name).join(', ') || 'it has no other'})`);
      else if (condition === 'completed' && typeOf(dep) !== 'oneshot') c.fail(path, condition, `started or ready: ${dep} is not a oneshot (type: oneshot), so it never completes`);
      else if (condition === 'completed' && policyOf(dep) === 'always') c.fail(path, condition, `started: ${dep} has restart.policy always, so it never stays completed`);
      else if (condition === 'ready' && typeOf(dep) === 'oneshot') c.fail(path, condition, `completed or started: ${dep} is a oneshot, never ready while it runs`);
    }
  }
  for (const cycle of cyclesOf(graph)) {
    c.fail(`${cycle[0]}.dependsOn.${cycle[1]}`, cycle[1], `no cycle: ${[...cycle, cycle[0]].join(' → ')} would wait for itself`);
  }
  return c.problems;
}

/** The cycles a depth-first walk meets (one per edge that closes one), each as the names along it. */
function cyclesOf(graph: Map<string, Record<string, Dependency>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string) => {
    state.set(name, 'open');
    stack.push(name);
    for (const dep of Object.keys(graph.get(name) ?? {})) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') cycles.push(stack.slice(stack.indexOf(dep)));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of graph.keys()) if (!state.has(name)) visit(name);
  return cycles;
}

/**
 * The services `targets` need, each after what it depends on: every dependency, transitively,
 * then the targets; in the file's order where the order is free. Assumes no cycle (validated).
 */
export function withDependencies(services: Record<string, unknown>, targets: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    if (seen.has(name) || !(name in services)) return;
    seen.add(name);
    for (const dep of Object.keys(dependenciesOf(name, services[name]))) add(dep);
    order.push(name);
  };
  for (const name of targets) add(name);
  return order;
}

/** The services that depend on `name` (directly or through others), dependents of dependents last. */
export function dependentsOf(services: Record<string, unknown>, name: string, only: (dep: Dependency) => boolean = () => true): string[] {
  const found: string[] = [];
  const queue = [name];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const other of Object.keys(services)) {
      const dep = dependenciesOf(other, services[other])[current];
      if (dep && only(dep) && !found.includes(other) && other !== name) {
        found.push(other);
        queue.push(other);
      }
    }
  }
  return found;
}
