import type { DaemonConnection, DaemonRow, ProjectRef } from '@svc/supervisor/client';
import type { ServiceDefinition } from '@svc/supervisor/definition';
import { callerEnvironment, CONTROL_TIMEOUT_MS } from './daemon.js';
import { CliError } from './errors.js';
import { exitText, formatUptime } from './output.js';

/*
 * Starting services, for the `start` command and its quick path (prestart.ts), so that both do and
 * say the same: already running → say so; a start under way (another `svc start`) → join it; else
 * start with the definition and the caller's environment, and report the pids or the failure with
 * the last lines of stderr.
 */

export interface StartResult {
  started: DaemonRow[];
  alreadyRunning: string[];
  /** Already running with another definition than this start gave: the keys that differ (left as they run). */
  differs: Array<{ service: string; keys: string[] }>;
  /** Already running with another definition, and restarted with this one (`force`). */
  replaced: string[];
}

/**
 * Starts each service in turn; one that does not start does not keep the later ones from starting.
 * One failure is thrown as it is; several as one ESTART_FAILED naming each (its `failures` hold
 * every one's fields), after the others were started and said.
 */
export async function startServices(
  connection: DaemonConnection,
  project: ProjectRef,
  services: Array<{ name: string; definition: ServiceDefinition }>,
  log: (line: string) => void,
  /** `handoff`: the token of the start handed to a daemon this command spawned (prestart.ts): collected, not begun again. */
  options: { force?: boolean; handoff?: string } = {},
): Promise<StartResult> {
  const result: StartResult = { started: [], alreadyRunning: [], differs: [], replaced: [] };
  const failures: CliError[] = [];
  const environment = callerEnvironment();
  for (const { name, definition } of services) {
    // A daemon this command just spawned hosts nothing yet: no need to ask what runs.
    const rows = connection.spawned ? [] : await connection.client.call('status', { project: project.id, service: name });
    const current = rows.find((r) => r.state === 'running') ?? rows[0];
    const state = current?.service?.state ?? current?.state;
    let replacing: string[] = [];
    if (current && (state === 'running' || state === 'standby')) {
      const keys = await changedKeys(connection, project, name, definition);
      if (keys.length === 0 || !options.force) {
        result.alreadyRunning.push(name);
        log(alreadyRunningLine(name, current));
        if (keys.length > 0) {
          result.differs.push({ service: name, keys });
          log(`  it runs another definition than this start gives (${keys.join(', ')} differ): svc restart ${name} applies a config's, svc start --force replaces it with this one`);
        }
        continue;
      }
      replacing = keys;
    }
    let started: DaemonRow[];
    try {
      // --force on a service running another definition: a restart with this one.
      const method = replacing.length > 0 ? 'restart' : 'start';
      const handoff = method === 'start' && options.handoff !== undefined ? { handoff: options.handoff } : {};
      started = await connection.client.call(method, { project, service: name, definition, environment, ...handoff }, { timeoutMs: CONTROL_TIMEOUT_MS });
    } catch (error) {
      const { code, data } = error as { code?: string; data?: { stderrTail?: unknown; lastExit?: { code?: unknown; signal?: unknown } | null } };
      if (code !== 'ESTART_FAILED' && code !== 'ESTOPPED') throw error;
      const tail = Array.isArray(data?.stderrTail) ? data.stderrTail.map(String) : [];
      // The supervisor's message names the service already ("service x did not start (state): why").
      const why = (error as Error).message.replace(/^service \S+ did not start /, '');
      const last = data?.lastExit;
      // A process that never ran (spawn error) has no exit to tell; a reason that says how the
      // process ended ("exited with code 1 within its start window") is not told it twice.
      const told = /exited with code|was ended by/.test(why);
      const exit = told ? '' : typeof last?.signal === 'string' ? `; last exit: ${last.signal}` : typeof last?.code === 'number' ? `; last exit: code ${last.code}` : '';
      const lastExit = last && (typeof last.code === 'number' || typeof last.signal === 'string') ? { code: last.code ?? null, signal: last.signal ?? null } : null;
      const failed = startFailed(name, `${why}${exit}`, tail, error, lastExit);
      failed.details.push(...bindsItselfHint(name, definition, tail));
      failures.push(failed);
      continue;
    }
    if (replacing.length > 0) {
      result.replaced.push(name);
      result.started.push(...started);
      log(`${runningLine(name, started)}: restarted with the definition this start gave (${replacing.join(', ')} differed)`);
      continue;
    }
    result.started.push(...started);
    log(runningLine(name, started));
  }
  if (failures.length === 1 && services.length === 1) throw failures[0]!;
  if (failures.length > 0) throw someFailed(failures, services.length, result);
  return result;
}

/** The top-level keys in which the definition the daemon runs differs from `wanted` (none when unknown). */
async function changedKeys(connection: DaemonConnection, project: ProjectRef, name: string, wanted: ServiceDefinition): Promise<string[]> {
  const hosted = await connection.client.call('definitions', { project: project.id, service: name }).catch(() => []);
  const running = hosted[0]?.definition as Record<string, unknown> | undefined;
  if (!running) return [];
  const next = wanted as Record<string, unknown>;
  return [...new Set([...Object.keys(running), ...Object.keys(next)])].filter((key) => canonical(running[key]) !== canonical(next[key])).sort();
}

/** JSON with object keys sorted: two definitions that say the same compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? 'undefined';
}

function someFailed(failures: CliError[], total: number, result: StartResult): CliError {
  const names = failures.map((f) => (f as CliError & { service: string }).service);
  const error = new CliError('ESTART_FAILED', `${failures.length} of ${total} services did not start: ${names.join(', ')}`, {
    details: failures.flatMap((f) => [f.message, ...f.details]),
  });
  const started = [...new Set(result.started.map((row) => row.name))];
  return Object.assign(error, {
    failures: failures.map((f) => {
      const { service, stderrTail, lastExit } = f as CliError & { service: string; stderrTail: string[]; lastExit: unknown };
      return { service, message: f.message, stderrTail, lastExit };
    }),
    started,
    alreadyRunning: result.alreadyRunning,
  });
}

/** `, listening on host:port` for a service whose socket svc holds. */
function listenText(row: DaemonRow | undefined): string {
  const listen = row?.service?.listen;
  if (!listen) return '';
  return `, listening on ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}

export function alreadyRunningLine(name: string, current: DaemonRow): string {
  return (current.service?.state ?? current.state) === 'standby'
    ? `${name} is already started: standby for its lock`
    : `${name} is already running (pid ${current.pid ?? '-'}, up ${formatUptime(current.uptimeMs)})`;
}

export function runningLine(name: string, rows: DaemonRow[]): string {
  const first = rows[0];
  const pids = rows.map((s) => s.pid ?? '-').join(', ');
  if (first && (first.service?.state ?? first.state) === 'completed') return `${name} completed (${exitText(first.lastExit)})`;
  if (first && (first.service?.state ?? first.state) === 'standby') return `${name} is standby: another host holds its lock; it runs here when that lease ends`;
  return `${name} is running (${rows.length > 1 ? `${rows.length} instances, pids ${pids}` : `pid ${pids}`}${listenText(first)})`;
}

/** What a program's runtime prints when the port it binds is taken: Node, Python, Go, Ruby, Java, C. */
const ADDRESS_IN_USE = /EADDRINUSE|address already in use|Errno 98|bind\(\): Address in use|BindException/i;

/**
 * A service with `listen` whose process binds the port itself fails on the address svc holds: the
 * one fix is the program's (take fd 3) or the config's (no `listen`), so the failure says both.
 */
export function bindsItselfHint(name: string, definition: ServiceDefinition, tail: string[]): string[] {
  const listen = definition.listen;
  if (!listen || !tail.some((line) => ADDRESS_IN_USE.test(line))) return [];
  return [
    `${name} binds its own port, but svc already holds port ${listen.port} for the service (listen) and hands it over:`,
    `  take the socket svc hands over as fd 3 (LISTEN_FDS=1; Node apps do it unchanged unless listen.adopt is false),`,
    `  or remove listen from ${name}'s config to let it bind its own port (no zero-downtime reload then)`,
  ];
}

/**
 * `why`: "(failed): <reason>" as the supervisor words it, or a reason of its own. With --json the
 * error carries `service`, `stderrTail` and `lastExit` as fields, not only as lines.
 */
export function startFailed(name: string, why: string, tail: string[], cause?: unknown, lastExit: { code: unknown; signal: unknown } | null = null): CliError {
  const lines = tail.map((l) => `  ${l}`);
  const error = new CliError('ESTART_FAILED', `${name} did not start${why.startsWith('(') ? ' ' : ': '}${why}`, {
    ...(cause === undefined ? {} : { cause }),
    details: lines.length ? [`last lines of ${name}'s stderr:`, ...lines] : [],
  });
  // `reason`: the why alone ("exited with code 1"), for a dependent's chain of causes (start-stack.ts).
  return Object.assign(error, { service: name, stderrTail: tail, lastExit, reason: why.replace(/^\(\w+\):? ?/, '') });
}
