import { fork, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The built server, as `node apps/example-server/dist/index.js` runs it. */
export const ENTRY = path.resolve(import.meta.dirname, '../../dist/index.js');
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly process: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited (and its output streams ended). */
  readonly exited: Promise<Exit>;
  hasExited(): boolean;
  /** Resolves with the first stdout line that matches; rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the base URL once the server says it listens. */
  ready(): Promise<string>;
}

const started = new Set<ServerProcess>();
const extraPids = new Set<number>();
const tempDirs = new Set<string>();

/** A fresh SVC_HOME, so that locks of one test never meet another's. Removed after the test. */
export function tempHome(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-example-'));
  tempDirs.add(dir);
  return dir;
}

/** A port that was free a moment ago (the server must bind it itself, so it cannot be 0). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function assertBuilt(): void {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`pnpm build\` in apps/example-server first`);
}

/** The environment of a server under test: none of the runner's svc/systemd variables leak in. */
export function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SVC_|LISTEN_|NOTIFY_SOCKET$|WATCHDOG_|PORT$|HOST$|VERSION$|LOCK$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Starts `command args` in its own process group (killed after the test) and watches its output. */
export function track(child: ChildProcess): ServerProcess {
  let out = '';
  let err = '';
  let done = false;
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      done = true;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  const handle: ServerProcess = {
    process: child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    hasExited: () => done,
    waitForLine(pattern) {
      return new Promise((resolve, reject) => {
        const look = (): void => {
          for (const line of out.split('\n')) {
            const match = line.match(pattern);
            if (match) {
              waiters.delete(look);
              return resolve(match);
            }
          }
          if (done) {
            waiters.delete(look);
            reject(new Error(`process ${child.pid} exited before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
          }
        };
        waiters.add(look);
        look();
      });
    },
    async ready() {
      const [, url] = await handle.waitForLine(/listening on (http:\/\/\S+)/);
      return url!;
    },
  };
  started.add(handle);
  return handle;
}

/** Spawns the built server directly, as a person would run it. */
export function startServer(env: Record<string, string>, stdio: StdioOptions = ['ignore', 'pipe', 'pipe']): ServerProcess {
  assertBuilt();
  return track(spawn(process.execPath, [ENTRY], { env: serverEnv(env), stdio, detached: true }));
}

/** Forks the built server with an IPC channel, as the svc supervisor runs a Node service. */
export function forkServer(env: Record<string, string>): ServerProcess {
  assertBuilt();
  return track(fork(ENTRY, [], { env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true }));
}

/** A pid the test must kill afterwards (a process that left the server's group on purpose). */
export function killAfterTest(pid: number): void {
  extraPids.add(pid);
}

function kill(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch (error) {
    // ESRCH: it is gone already, which is what we want.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Kills every process group a test started, and every extra pid it named; removes temp homes. */
export async function cleanUp(): Promise<void> {
  for (const server of started) kill(-server.pid);
  for (const pid of extraPids) kill(pid);
  await Promise.all([...started].map((server) => server.exited));
  started.clear();
  extraPids.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** One HTTP request; `agent: false` unless given, so each call has its own connection. */
export function request(url: string, options: http.RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        let json: unknown = undefined;
        try {
          json = JSON.parse(body);
        } catch {
          // Not every answer is JSON (/metrics is text); `body` keeps it either way.
        }
        resolve({ status: res.statusCode!, headers: res.headers, body, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.timeout !== undefined) req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.end();
  });
}

/** Whether a process with this pid exists (any state but reaped). */
export function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
