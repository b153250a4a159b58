import { callMethod, defineMethods, subscribeMethod, type IpcSubscriptionContext } from '@svc/ipc/client';
import type { InstanceHistory } from './daemon-history.js';
import type { ExportedService, HostedDefinition, ServiceSpec, ServiceTarget, StopResult } from './daemon-host.js';
import { PROJECT_ID, type ProjectRef } from './daemon-paths.js';
import type { DaemonRow } from './daemon-state.js';
import type { ServiceDefinition } from './definition.js';
import type { SupervisorEvent } from './events.js';
import { SERVICE_NAME } from './options.js';
import type { ReloadResult } from './service.js';

/** What `hello` answers: who the daemon is. Its shape never changes (see version.ts). */
export interface HelloResult {
  version: string;
  protocol: number;
  pid: number;
  startedAt: string;
  socket: string;
}

/** What `logs` tells: stdout, stderr, both in the order their lines came (`output`), or the event log. */
export type LogsStream = 'stdout' | 'stderr' | 'output' | 'events';
export const LOGS_STREAMS: readonly LogsStream[] = ['stdout', 'stderr', 'output', 'events'];
export interface LogEvent {
  /** The line's own stream (with `output`: stdout or stderr). */
  stream: Exclude<LogsStream, 'output'>;
  line: string;
  /** When the line was received (ISO 8601, UTC); null for one stored before svc kept times. Output lines only. */
  time?: string | null;
  /** The instance that printed it: followed output lines only (the files do not keep it). */
  instance?: number;
  /**
   * Followed only: this many lines were left out because the reader fell behind (its connection's
   * unsent output passed half the limit); they are in the log files. `line` is then empty.
   */
  skipped?: number;
}
/**
 * A `logs` call: the tail of `lines` lines, then with `follow` every new line; with `flush` the
 * stream's log files (current and rotated) are emptied instead, and nothing is sent.
 */
export interface LogsOptions {
  stream: LogsStream;
  lines: number;
  follow: boolean;
  flush: boolean;
}

/** What the admin methods do; the daemon implements it, the method table checks what reaches it. */
export interface DaemonApi {
  hello: () => HelloResult;
  /** `handoff`: the token of a start handed over at spawn (daemon-spawn.ts), whose outcome this call collects. */
  start: (target: ServiceTarget, spec: ServiceSpec | undefined, handoff?: string) => Promise<DaemonRow[]>;
  stop: (target: ServiceTarget) => Promise<StopResult>;
  restart: (target: ServiceTarget, spec: ServiceSpec | undefined) => Promise<DaemonRow[]>;
  reload: (target: ServiceTarget, spec: ServiceSpec | undefined) => Promise<ReloadResult & { rows: DaemonRow[] }>;
  scale: (target: ServiceTarget, instances: number) => Promise<DaemonRow[]>;
  status: (filter: { project?: string; service?: string }) => DaemonRow[];
  /** The Prometheus text, and where it is served over HTTP (null: not configured; `error`: configured but not served). */
  metrics: () => MetricsResult;
  exported: () => ExportedService[];
  definitions: (filter: { project?: string; service?: string }) => HostedDefinition[];
  /** `ifIdle`: only when it supervises nothing and answers no other call (else `declined`). */
  shutdown: (options: ShutdownParams) => Promise<ShutdownResult>;
  logs: (
    target: ServiceTarget,
    options: LogsOptions,
    emit: (event: LogEvent) => boolean,
    ctx: IpcSubscriptionContext,
  ) => Promise<() => void>;
  events: (filter: { project?: string; service?: string }, emit: (event: SupervisorEvent & { project: string }) => boolean) => () => void;
  /** Each hosted instance's CPU and memory samples (daemon-history.ts), oldest first. */
  history: (filter: { project?: string; service?: string }) => InstanceHistory[];
  /** Records in the service's event log that `by` asked for `action` (a `requested` event). */
  note: (params: NoteParams) => Promise<NoteResult>;
}

/** The actions a caller may say it asked for (`note`). */
export type NoteAction = 'restart' | 'reload' | 'stop' | 'start' | 'scale';
export const NOTE_ACTIONS: readonly NoteAction[] = ['restart', 'reload', 'stop', 'start', 'scale'];
/** The most characters (code points) of a note's `by`. */
export const MAX_NOTE_BY = 200;

/** A `note`: the service by its project's id and its name, the action asked for, and who asked (free text). */
export interface NoteParams {
  project: string;
  service: string;
  action: NoteAction;
  by: string;
}
export interface NoteResult {
  recorded: true;
}

export interface MetricsResult {
  text: string;
  http: { listen: { host: string; port: number }; url: string | null; error: string | null } | null;
}

export interface ShutdownParams {
  ifIdle?: boolean;
}
/** `stopped`: how many services it stops on its way out. `declined`: an `ifIdle` shutdown it refused. */
export interface ShutdownResult {
  stopped: number;
  declined?: true;
}

/** The most lines a `logs` call may ask for. */
export const MAX_LOG_LINES = 100_000;

type Params = Record<string, unknown>;

function record(params: unknown): Params {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new Error('expected an object of parameters');
  return params as Params;
}

function project(value: unknown): ProjectRef {
  const p = value as { id?: unknown; config?: unknown } | null;
  if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || !PROJECT_ID.test(p.id)) {
    throw new Error('expected project: { id: 1-64 letters, digits, ".", "_", "-", config: an absolute path or null }');
  }
  if (p.config !== null && (typeof p.config !== 'string' || !p.config.startsWith('/') || p.config.includes('\0'))) {
    throw new Error('expected project.config: an absolute path or null');
  }
  return { id: p.id, config: p.config };
}

/** A call's service: `{ project, service }`. */
export interface TargetParams {
  project: ProjectRef;
  service: string;
}

/** A start, restart or reload: the service, and optionally how to run it now. */
export interface SpecParams extends TargetParams {
  definition?: ServiceDefinition;
  environment?: Record<string, string> | null;
}

/** A start's params, with the token of the start its caller handed over when it spawned the daemon. */
export interface StartParams extends SpecParams {
  handoff?: string;
}

const HANDOFF_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

export interface ScaleParams extends TargetParams {
  instances: number;
}

/** `flush` may be left out (false), as clients from before it do. */
export interface LogsParams extends TargetParams, Omit<LogsOptions, 'flush'> {
  flush?: boolean;
}

export interface FilterParams {
  project?: string;
  service?: string;
}

/** Refuses a key a method does not take, naming it (a misspelt filter would otherwise match everything). */
function only(p: Params, keys: readonly string[]): Params {
  const unknown = Object.keys(p).find((k) => !keys.includes(k));
  if (unknown !== undefined) throw new Error(`unknown parameter ${JSON.stringify(unknown)}: expected only ${keys.join(', ')}`);
  return p;
}

function target(params: unknown): TargetParams {
  const p = record(params);
  if (typeof p.service !== 'string' || !SERVICE_NAME.test(p.service)) throw new Error('expected service: 1-64 letters, digits, ".", "_", "-"');
  return { project: project(p.project), service: p.service };
}

/** A definition is checked in full by the Service (EINVALID_OPTIONS, naming every option); here only its shape. */
function specParams(params: unknown): SpecParams {
  const t = target(params);
  const p = params as Params;
  if (p.definition === undefined) return t;
  if (typeof p.definition !== 'object' || p.definition === null || Array.isArray(p.definition)) throw new Error('expected definition: an object');
  const environment = p.environment ?? null;
  if (environment !== null && (typeof environment !== 'object' || Array.isArray(environment) || !Object.values(environment).every((v) => typeof v === 'string'))) {
    throw new Error('expected environment: an object of strings, or null');
  }
  return { ...t, definition: p.definition as ServiceDefinition, environment: environment as Record<string, string> | null };
}

function startParams(params: unknown): StartParams {
  const spec = specParams(params);
  const { handoff } = params as Params;
  if (handoff === undefined) return spec;
  if (typeof handoff !== 'string' || !HANDOFF_TOKEN.test(handoff)) throw new Error('expected handoff: 1-64 letters, digits, "_", "-"');
  return { ...spec, handoff };
}

/**
 * A start handed over at spawn (the daemon's stdin, daemon-spawn.ts): JSON of a start's params
 * with a definition and a token. Throws naming what is wrong.
 */
export function parseHandoff(text: string): { target: ServiceTarget; spec: ServiceSpec; token: string } {
  const parsed: unknown = JSON.parse(text);
  const p = specParams(parsed);
  const { token } = parsed as Params;
  const spec = specOf(p);
  if (spec === undefined) throw new Error('expected definition: an object');
  if (typeof token !== 'string' || !HANDOFF_TOKEN.test(token)) throw new Error('expected token: 1-64 letters, digits, "_", "-"');
  return { target: targetOf(p), spec, token };
}

function specOf(p: SpecParams): ServiceSpec | undefined {
  return p.definition === undefined ? undefined : { definition: p.definition, environment: p.environment ?? null };
}

const targetOf = (p: TargetParams): ServiceTarget => ({ project: p.project, service: p.service });

function filter(params: unknown): FilterParams {
  const p = params === undefined || params === null ? {} : record(params);
  const out: FilterParams = {};
  if (p.project !== undefined) {
    if (typeof p.project !== 'string' || !PROJECT_ID.test(p.project)) throw new Error('expected project: a project id');
    out.project = p.project;
  }
  if (p.service !== undefined) {
    if (typeof p.service !== 'string' || !SERVICE_NAME.test(p.service)) throw new Error('expected service: a service name');
    out.service = p.service;
  }
  return out;
}

function historyParams(params: unknown): FilterParams {
  if (params !== undefined && params !== null) only(record(params), ['project', 'service']);
  return filter(params);
}

const CONTROL_CHARACTER = /\p{Cc}/u;

function noteParams(params: unknown): NoteParams {
  const p = only(record(params), ['project', 'service', 'action', 'by']);
  if (typeof p.project !== 'string' || !PROJECT_ID.test(p.project)) throw new Error('expected project: a project id (1-64 letters, digits, ".", "_", "-")');
  if (typeof p.service !== 'string' || !SERVICE_NAME.test(p.service)) throw new Error('expected service: a service name (1-64 letters, digits, ".", "_", "-")');
  if (!NOTE_ACTIONS.includes(p.action as NoteAction)) throw new Error(`expected action: ${NOTE_ACTIONS.map((a) => `"${a}"`).join(' | ')}`);
  const { by } = p;
  if (typeof by !== 'string' || by.trim() === '' || [...by].length > MAX_NOTE_BY || CONTROL_CHARACTER.test(by)) {
    throw new Error(`expected by: who asked, a non-empty string of at most ${MAX_NOTE_BY} characters without control characters`);
  }
  return { project: p.project, service: p.service, action: p.action as NoteAction, by };
}

function scaleParams(params: unknown): ScaleParams {
  const t = target(params);
  const instances = (params as Params).instances;
  if (typeof instances !== 'number' || !Number.isInteger(instances)) throw new Error('expected instances: an integer');
  return { ...t, instances };
}

function logsParams(params: unknown): LogsParams {
  const t = target(params);
  const { stream = 'stdout', lines = 100, follow = false, flush = false } = params as Params;
  if (!LOGS_STREAMS.includes(stream as LogsStream)) throw new Error(`expected stream: ${LOGS_STREAMS.map((s) => `"${s}"`).join(' | ')}`);
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 0 || lines > MAX_LOG_LINES) throw new Error(`expected lines: an integer 0-${MAX_LOG_LINES}`);
  if (typeof follow !== 'boolean') throw new Error('expected follow: boolean');
  if (typeof flush !== 'boolean') throw new Error('expected flush: boolean');
  if (flush && follow) throw new Error('expected follow: false with flush: true (a flush empties the logs and ends)');
  if (flush && stream === 'events') throw new Error('expected stream: "stdout" | "stderr" | "output" with flush: true (the event log is kept)');
  return { ...t, stream: stream as LogsStream, lines, follow, flush };
}

const none = (): null => null;

/** `null` (every version's shape) or `{ ifIdle?: boolean }`. */
function shutdownParams(params: unknown): ShutdownParams | null {
  if (params === null || params === undefined) return null;
  const { ifIdle = false } = record(params);
  if (typeof ifIdle !== 'boolean') throw new Error('expected ifIdle: boolean');
  return { ifIdle };
}

/**
 * The daemon's admin methods, each checking its params at the boundary (a bad one is
 * EIPC_BAD_PARAMS naming what was expected) before it reaches the daemon. The client is typed
 * from this table (`DaemonMethods`).
 */
export function daemonMethods(api: DaemonApi) {
  return defineMethods({
    hello: callMethod({ validate: none, handle: () => api.hello() }),
    start: callMethod({ validate: startParams, handle: (p) => api.start(targetOf(p), specOf(p), p.handoff) }),
    stop: callMethod({ validate: target, handle: (p) => api.stop(targetOf(p)) }),
    restart: callMethod({ validate: specParams, handle: (p) => api.restart(targetOf(p), specOf(p)) }),
    reload: callMethod({ validate: specParams, handle: (p) => api.reload(targetOf(p), specOf(p)) }),
    scale: callMethod({ validate: scaleParams, handle: (p) => api.scale(targetOf(p), p.instances) }),
    status: callMethod({ validate: filter, handle: (f) => api.status(f) }),
    metrics: callMethod({ validate: none, handle: () => api.metrics() }),
    export: callMethod({ validate: none, handle: () => api.exported() }),
    definitions: callMethod({ validate: filter, handle: (f) => api.definitions(f) }),
    history: callMethod({ validate: historyParams, handle: (f) => api.history(f) }),
    note: callMethod({ validate: noteParams, handle: (p) => api.note(p) }),
    shutdown: callMethod({ validate: shutdownParams, handle: (p) => api.shutdown({ ifIdle: p?.ifIdle ?? false }) }),
    logs: subscribeMethod({
      validate: logsParams,
      subscribe: (p, emit: (event: LogEvent) => boolean, ctx) => api.logs(targetOf(p), { stream: p.stream, lines: p.lines, follow: p.follow, flush: p.flush ?? false }, emit, ctx),
    }),
    events: subscribeMethod({
      validate: filter,
      subscribe: (f, emit: (event: SupervisorEvent & { project: string }) => boolean) => api.events(f, emit),
    }),
  });
}

export type DaemonMethods = ReturnType<typeof daemonMethods>;
