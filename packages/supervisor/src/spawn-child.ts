import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { LogStream } from './events.js';
import { pipeOutput, type SupervisorLogs } from './log-pipes.js';
import type { OrphanGuard } from './orphan-guard.js';
import { Run } from './run.js';
import { ProcessTree } from './tree-kill.js';

/**
 * Exports each of `vars` (LISTEN_PID, WATCHDOG_PID) as the shell's own pid, then execs the command
 * in its place: the service sees its real pid there, as systemd's convention asks, although the
 * pid is unknown before the spawn.
 */
function pidShim(vars: readonly string[]): string {
  return `${vars.map((name) => `${name}=$$; export ${name}; `).join('')}exec "$0" "$@"`;
}

export interface SpawnRequest {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** A listening socket's descriptor in this process, handed to the child as fd 3. */
  listenFd: number | null;
  /** Open a Node IPC channel (after fd 3, when there is one). */
  ipc: boolean;
}

export type SpawnOutcome = { ok: true; child: ChildProcess; pid: number } | { ok: false; error: Error };

/**
 * Spawns one instance: detached (its own process group, so the whole tree can be signalled),
 * stdin closed, stdout and stderr piped, fd 3 the listening socket when there is one (with the
 * pid shim, which also sets WATCHDOG_PID when WATCHDOG_USEC is set), then the IPC channel (a Node child finds it by NODE_CHANNEL_FD, wherever it
 * is). Resolves once the pid is known, or with the error when the command cannot be started.
 */
export async function spawnChild(request: SpawnRequest): Promise<SpawnOutcome> {
  const { command, args, listenFd } = request;
  // The variables that name the service's own pid: with a handed-over socket, and with a watchdog.
  const pidVars = [...(listenFd === null ? [] : ['LISTEN_PID']), ...(request.env.WATCHDOG_USEC === undefined ? [] : ['WATCHDOG_PID'])];
  const [file, argv] = pidVars.length === 0 ? [command, [...args]] : ['/bin/sh', ['-c', pidShim(pidVars), command, ...args]];
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...(listenFd === null ? [] : [listenFd]), ...(request.ipc ? (['ipc'] as const) : [])];
  let child: ChildProcess;
  try {
    child = spawn(file, argv, { cwd: request.cwd, env: request.env, detached: true, stdio, serialization: 'json', windowsHide: true });
  } catch (error) {
    // Invalid arguments (a NUL byte in an argument, say) throw at once instead of emitting 'error'.
    return { ok: false, error: error as Error };
  }
  if (child.pid === undefined) return { ok: false, error: await new Promise<Error>((resolve) => child.once('error', resolve)) };
  // After a successful spawn, 'error' only reports a failed kill() or send(): the exit is what
  // decides, and a send to a child that is gone has nothing to deliver.
  child.on('error', () => undefined);
  return { ok: true, child, pid: child.pid };
}

export interface RunRequest extends SpawnRequest {
  id: number;
  /** The `NAME=value` entry that marks every process of the run (tree-kill.ts). */
  marker: string;
  guard: OrphanGuard | null;
  logs: Pick<SupervisorLogs, 'stdout' | 'stderr'>;
  now: () => number;
  limits: { memoryBytes: number; cpuPercent: number; windowMs: number };
}

export interface RunHooks {
  /** A line of output and when it was received (ISO 8601): it is written to its log file too, with that time. */
  line(stream: LogStream, line: string, time: string): void;
  /** A message over the Node IPC channel. */
  message(run: Run, message: unknown): void;
  /** The main process exited ('exit', not 'close': a grandchild holding the pipes must not delay it). */
  exit(run: Run, code: number | null, signal: NodeJS.Signals | null): void;
}

/** Spawns one run of an instance and wires it up: its tree on the guard, its output to its logs. */
export async function spawnRun(request: RunRequest, hooks: RunHooks): Promise<{ ok: true; run: Run } | { ok: false; error: Error }> {
  const spawned = await spawnChild(request);
  if (!spawned.ok) return spawned;
  const { child, pid } = spawned;
  const run = new Run(request.id, child, pid, new ProcessTree(pid, request.marker, request.guard), request.now, request.limits);
  for (const stream of ['stdout', 'stderr'] as const) pipeOutput(child[stream], request.logs[stream], (line, time) => hooks.line(stream, line, time));
  child.on('message', (message: unknown) => hooks.message(run, message));
  child.once('exit', (code, signal) => hooks.exit(run, code, signal));
  return { ok: true, run };
}
