import { constants } from 'node:os';
import type { SupervisorEventType } from './events.js';
import type { LivenessFailure } from './liveness.js';
import type { NotifyMessage } from './notify-vocabulary.js';
import { hasProc } from './proc-tree.js';
import type { StartWait } from './readiness.js';
import type { Run } from './run.js';

/*
 * What svc does with each message of the notify vocabulary (notify-vocabulary.ts), whichever way it
 * came (datagram, stream line, IPC message), and what `svc status` shows of what the service said.
 * Every message kind leaves a `status` event in the event log — what the service said of itself —
 * except the heartbeats after a run's first (one a second would drown the log).
 */

/** What a message may act on: the runner's hooks and the run's start, when it is being waited for. */
export interface NotifyContext {
  record(type: SupervisorEventType, fields: Record<string, unknown>): void;
  /** The current run's start, while it is being waited for (readiness `notify` takes READY=1). */
  start(run: Run): (StartWait & { takesReady: boolean }) | null;
  /** WATCHDOG=trigger: the run counts as hung now. */
  hung(run: Run, failure: LivenessFailure): void;
  now(): number;
}

/** errno number → name (the first name of a number with two, as EAGAIN and EWOULDBLOCK). */
const ERRNO_NAMES = new Map<number, string>();
for (const [name, errno] of Object.entries(constants.errno)) if (!ERRNO_NAMES.has(errno)) ERRNO_NAMES.set(errno, name);

/** What one run said of itself (the current run's is shown; `beat`/`problems`: recorded once). */
interface RunNotes {
  id: number;
  mainPid: number | null;
  reloading: boolean;
  stopping: boolean;
  beat: boolean;
  problems: boolean;
}

const fresh = (run: Run): RunNotes => ({ id: run.id, mainPid: null, reloading: false, stopping: false, beat: false, problems: false });

/**
 * What the service said of itself, as `svc status` shows it: its STATUS= text, the last ERRNO=
 * (kept after the run that sent it ends, until a later run is ready: it explains a crash), and
 * of the current run its MAINPID=, RELOADING=1 and STOPPING=1. Plus why NOTIFY_SOCKET is missing,
 * when it is.
 */
export class NotifyNotes {
  text: string | null = null;
  errno: { errno: number; runId: number } | null = null;
  /** Why the datagram socket could not be offered (recorded once). */
  unavailable: string | null = null;
  #run: RunNotes | null = null;

  /** A new run: what the last one said of itself is over, but its STATUS= and ERRNO= stand. */
  startRun(run: Run): void {
    this.#run = fresh(run);
  }

  /** The notes of `run`: the shown ones for the current run, a throwaway for any other. */
  of(run: Run): RunNotes {
    return this.#run?.id === run.id ? this.#run : fresh(run);
  }

  /** The health column of `svc status`: the STATUS= text, then in brackets what else stands. */
  get summary(): string | null {
    const notes: string[] = [];
    const run = this.#run;
    if (run?.reloading) notes.push('reloading');
    if (run?.stopping) notes.push('stopping');
    if (this.errno) notes.push(`errno ${this.errno.errno}${ERRNO_NAMES.has(this.errno.errno) ? ` ${ERRNO_NAMES.get(this.errno.errno)}` : ''}`);
    if (run?.mainPid != null) notes.push(`main pid ${run.mainPid}`);
    if (this.unavailable !== null) notes.push(`no NOTIFY_SOCKET: ${this.unavailable}`);
    if (notes.length === 0) return this.text;
    return this.text === null ? notes.join('; ') : `${this.text} (${notes.join('; ')})`;
  }
}

type Handler<K extends NotifyMessage['kind']> = (run: Run, message: Extract<NotifyMessage, { kind: K }>, notes: NotifyNotes, ctx: NotifyContext) => void;
type Handlers = { [K in NotifyMessage['kind']]: Handler<K> };

/** Messages that still count once the run has exited (sent just before the exit: they explain it). */
const AFTER_EXIT = new Set<NotifyMessage['kind']>(['status', 'errno', 'stopping']);

const said = (run: Run, notify: string, fields: Record<string, unknown> = {}) => ({ pid: run.pid, notify, ...fields });

const HANDLERS: Handlers = {
  ready(run, _message, notes, ctx) {
    const mine = notes.of(run);
    if (notes.errno && notes.errno.runId !== run.id) notes.errno = null;
    if (mine.reloading) {
      mine.reloading = false;
      ctx.record('status', said(run, 'READY=1', { reloaded: true }));
    }
    const start = ctx.start(run);
    if (start?.takesReady) start.ready();
  },
  reloading(run, _message, notes, ctx) {
    notes.of(run).reloading = true;
    ctx.record('status', said(run, 'RELOADING=1'));
  },
  stopping(run, _message, notes, ctx) {
    notes.of(run).stopping = true;
    ctx.record('status', said(run, 'STOPPING=1'));
  },
  status(run, message, notes, ctx) {
    notes.text = message.text;
    ctx.record('status', { pid: run.pid, text: message.text });
  },
  watchdog(run, _message, notes, ctx) {
    run.lastHeartbeat = ctx.now();
    const mine = notes.of(run);
    if (mine.beat) return;
    mine.beat = true;
    ctx.record('status', said(run, 'WATCHDOG=1', { first: true }));
  },
  'watchdog-trigger'(run, _message, _notes, ctx) {
    ctx.hung(run, { check: 'watchdog', trigger: true });
  },
  'watchdog-timeout'(run, message, _notes, ctx) {
    const notify = `WATCHDOG_USEC=${message.timeoutMs * 1000}`;
    // svc's config decides whether there is a heartbeat; the service may only change its timeout.
    if (run.heartbeatTimeoutMs === 0) {
      ctx.record('status', said(run, notify, { ignored: 'the service has no heartbeat check (liveness.heartbeatTimeout)' }));
      return;
    }
    run.heartbeatTimeoutMs = message.timeoutMs;
    run.rearmHeartbeat?.();
    ctx.record('status', said(run, notify, { heartbeatTimeoutMs: message.timeoutMs }));
  },
  'extend-timeout'(run, message, _notes, ctx) {
    const notify = `EXTEND_TIMEOUT_USEC=${message.extendMs * 1000}`;
    if (run.extendStop(message.extendMs)) ctx.record('status', said(run, notify, { extended: 'stop', extendMs: message.extendMs }));
    else if (ctx.start(run)?.extend(message.extendMs)) ctx.record('status', said(run, notify, { extended: 'start', extendMs: message.extendMs }));
    else ctx.record('status', said(run, notify, { ignored: 'neither starting nor stopping' }));
  },
  mainpid(run, message, notes, ctx) {
    const notify = `MAINPID=${message.pid}`;
    const mine = notes.of(run);
    if (message.pid === run.pid) {
      mine.mainPid = null;
      ctx.record('status', said(run, notify, { mainPid: message.pid }));
    } else if (!hasProc) {
      ctx.record('status', said(run, notify, { ignored: `svc cannot tell here whether pid ${message.pid} is a process of this service (no /proc)` }));
    } else if (run.tree.members('full').some((p) => p.pid === message.pid)) {
      mine.mainPid = message.pid;
      ctx.record('status', said(run, notify, { mainPid: message.pid }));
    } else {
      ctx.record('status', said(run, notify, { ignored: `pid ${message.pid} is not a process of this service` }));
    }
  },
  errno(run, message, notes, ctx) {
    notes.errno = { errno: message.errno, runId: run.id };
    ctx.record('status', said(run, `ERRNO=${message.errno}`, { errno: message.errno, ...(ERRNO_NAMES.has(message.errno) ? { code: ERRNO_NAMES.get(message.errno) } : {}) }));
  },
};

/** Acts on one message from `run`. */
export function dispatchNotify(run: Run, message: NotifyMessage, notes: NotifyNotes, ctx: NotifyContext): void {
  if (run.exited && !AFTER_EXIT.has(message.kind)) return;
  // The table is keyed by kind, so the handler found takes this message's own type.
  const handler = HANDLERS[message.kind] as (run: Run, message: NotifyMessage, notes: NotifyNotes, ctx: NotifyContext) => void;
  handler(run, message, notes, ctx);
}

/** Why (part of) a datagram was ignored: recorded for the first one of each run, so a flood stays one line. */
export function ignoredDatagram(run: Run, problems: string[], notes: NotifyNotes, ctx: NotifyContext): void {
  const mine = notes.of(run);
  if (mine.problems) return;
  mine.problems = true;
  ctx.record('status', said(run, 'ignored', { reason: problems.join('; '), note: 'later ones of this run are not recorded' }));
}
