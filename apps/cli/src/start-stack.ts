import type { DaemonConnection, DaemonRow, ProjectRef } from '@svc/supervisor/client';
import { dependenciesOf, withDependencies, type Dependency, type ServiceDefinition } from '@svc/supervisor/definition';
import { CliError } from './errors.js';
import { startServices, type StartResult } from './start-service.js';

/*
 * Starting services of a project that depend on one another (`dependsOn`): each starts once what it
 * needs has met its condition — `started` (spawned), `ready` (its start returned), `completed` (a
 * oneshot's start returned: it exited 0) — and those that need nothing of each other start at the
 * same time. A dependency that fails fails its dependents with the chain of causes ("api not
 * started: migrate exited with code 1: <its last stderr line>"); services that do not need it go on.
 */

/** How often the state of a dependency that must only be `started` is looked at while its start runs. */
const STARTED_POLL_MS = 50;

type Failure = CliError & { service?: string; reason?: string; stderrTail?: string[] };

export async function startStack(
  connection: DaemonConnection,
  project: ProjectRef,
  services: Record<string, ServiceDefinition>,
  targets: string[],
  log: (line: string) => void,
  options: { force?: boolean } = {},
): Promise<StartResult> {
  const order = withDependencies(services, targets);
  const deps = new Map(order.map((name) => [name, dependenciesOf(name, services[name])]));
  if ([...deps.values()].every((d) => Object.keys(d).length === 0)) {
    // Nothing depends on anything: one after the other, as `--all` always did.
    return startServices(connection, project, order.map((name) => ({ name, definition: services[name]! })), log, options);
  }
  const result: StartResult = { started: [], alreadyRunning: [], differs: [], replaced: [] };
  const failures = new Map<string, Failure>();
  const done = new Map<string, Promise<void>>();
  const spawned = new Map<string, Promise<void>>();
  // What already meets a `completed` condition (a oneshot that ran) is not run again for a dependent.
  const rows = connection.spawned ? [] : await connection.client.call('status', { project: project.id });
  const stateOf = (name: string) => {
    const row = rows.find((r) => r.name === name);
    return row?.service?.state ?? row?.state;
  };

  const begin = (name: string): void => {
    const wait = Object.entries(deps.get(name)!).map(([dep, d]) => awaitDependency(name, dep, d));
    const run = Promise.all(wait).then(async () => {
      if (!targets.includes(name) && stateOf(name) === 'completed') return;
      const one = await startServices(connection, project, [{ name, definition: services[name]! }], log, options);
      result.started.push(...one.started);
      result.alreadyRunning.push(...one.alreadyRunning);
      result.differs.push(...one.differs);
      result.replaced.push(...one.replaced);
    });
    done.set(name, run);
    const up = Promise.race([run, untilSpawned(connection, project, name, run)]);
    spawned.set(name, up);
    // Failures are collected from `run`; `up` is awaited only by `started` dependents, if any.
    up.catch(() => undefined);
    run.catch((error: unknown) => failures.set(name, error as Failure));
  };

  const awaitDependency = async (name: string, dep: string, d: Dependency): Promise<void> => {
    try {
      await (d.condition === 'started' ? spawned.get(dep) : done.get(dep));
    } catch (error) {
      throw chained(name, dep, error as Failure);
    }
  };

  for (const name of order) begin(name);
  await Promise.allSettled([...done.values()]);
  // A dependency's failure is told in its dependents' chains: the targets' failures are the answer.
  const failed = order.filter((name) => failures.has(name) && targets.includes(name));
  if (failed.length === 0) return result;
  // The targets' own failures, in start order: one is thrown as it is, several as one naming each.
  const errors = failed.map((name) => failures.get(name)!);
  if (errors.length === 1) throw errors[0]!;
  const error = new CliError('ESTART_FAILED', `${errors.length} of ${targets.length} services did not start: ${failed.join(', ')}`, {
    details: errors.flatMap((e) => [e.message, ...e.details]),
  });
  return Promise.reject(
    Object.assign(error, {
      failures: errors.map((e) => ({ service: e.service, message: e.message, stderrTail: e.stderrTail ?? [], lastExit: (e as { lastExit?: unknown }).lastExit ?? null })),
      started: [...new Set(result.started.map((row) => row.name))],
      alreadyRunning: result.alreadyRunning,
    }),
  );
}

/** "api not started: migrate exited with code 1: <its last stderr line>", through every link. */
function chained(name: string, dep: string, cause: Failure): CliError {
  const tail = cause.stderrTail ?? [];
  const why = cause.reason !== undefined ? `${dep} ${cause.reason}${tail.length > 0 ? `: ${tail[tail.length - 1]}` : ''}` : cause.message;
  const error = new CliError('ESTART_FAILED', `${name} not started: ${why}`, { details: cause.details });
  return Object.assign(error, { service: name, reason: `not started: ${why}`, stderrTail: [] as string[], lastExit: null, cause });
}

/** Resolves once the service has a process (its start under way past the spawn); never rejects. */
async function untilSpawned(connection: DaemonConnection, project: ProjectRef, name: string, run: Promise<void>): Promise<void> {
  let over = false;
  void run.then(
    () => (over = true),
    () => (over = true),
  );
  while (!over) {
    const rows: DaemonRow[] = await connection.client.call('status', { project: project.id, service: name }).catch(() => []);
    if (rows.some((r) => r.pid !== null)) return;
    await new Promise((resolve) => setTimeout(resolve, STARTED_POLL_MS));
  }
  // The start ended: `run` says how (the race takes its outcome).
  return new Promise(() => undefined);
}
