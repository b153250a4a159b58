import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const tempDirs: string[] = [];
const children = new Set<ChildProcess>();

/** A fresh temp directory (0700, ours), removed by `cleanup()`. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'svc-ipc-'));
  tempDirs.push(dir);
  return dir;
}

/** Kills every child process group started here and removes temp dirs; call in afterEach. */
export async function cleanup(): Promise<void> {
  for (const child of children) killGroup(child);
  await Promise.all([...children].map((child) => exited(child)));
  children.clear();
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface Fixture {
  readonly child: ChildProcess;
  /** The first line the fixture printed: "READY …" or "FAILED …". */
  readonly firstLine: string;
  stderr(): string;
}

/**
 * Starts a fixture script in its own process group and waits for its first stdout line (the
 * readiness signal). `spawnOptions` may set uid/gid to run it as another user.
 */
export async function startFixture(
  command: string,
  args: string[],
  spawnOptions: { uid?: number; gid?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Fixture> {
  if (command === process.execPath && !existsSync(DIST)) {
    throw new Error('the fixtures import the built package: run `pnpm build` in packages/ipc first');
  }
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const firstLine = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: string) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end !== -1) {
        child.stdout.off('data', onData);
        resolve(stdout.slice(0, end));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`fixture exited (${code ?? signal}) before it was ready: ${stderr}`)));
  });
  return { child, firstLine, stderr: () => stderr };
}

/** Starts test/fixtures/server.mjs and returns once it listens (or throws what it printed). */
export async function startServerFixture(config: {
  path: string;
  umask?: number;
  busyThreadPool?: boolean;
  options?: Record<string, unknown>;
}) {
  const env = config.busyThreadPool === true ? { ...process.env, UV_THREADPOOL_SIZE: '1' } : process.env;
  const fixture = await startFixture(process.execPath, [path.join(FIXTURES, 'server.mjs'), JSON.stringify(config)], { env });
  if (!fixture.firstLine.startsWith('READY ')) throw new Error(`server fixture did not start: ${fixture.firstLine} ${fixture.stderr()}`);
  return { ...fixture, info: JSON.parse(fixture.firstLine.slice(6)) as { pid: number; path: string } };
}

/** A Python 3 that other users can run (the one on root's PATH may live under /root). */
export function sharedPython(): string {
  for (const candidate of ['/usr/bin/python3', '/usr/local/bin/python3']) if (existsSync(candidate)) return candidate;
  return 'python3';
}

/**
 * A raw client socket that records every line the server sends and whether (and how) it closed,
 * for speaking broken protocol on purpose.
 */
export class RawPeer {
  readonly socket: net.Socket;
  readonly lines: string[] = [];
  closed = false;
  private buffered = '';
  private readonly closedPromise: Promise<void>;
  private readonly connected: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(socketPath: string) {
    this.socket = net.createConnection({ path: socketPath });
    this.socket.setEncoding('utf8');
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let end: number;
      while ((end = this.buffered.indexOf('\n')) !== -1) {
        this.lines.push(this.buffered.slice(0, end));
        this.buffered = this.buffered.slice(end + 1);
      }
      this.wake();
    });
    // EPIPE / ECONNRESET when the server cuts us off mid-write: expected in these tests.
    this.socket.on('error', () => this.socket.destroy());
    this.closedPromise = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  ready(): Promise<void> {
    return this.connected;
  }

  write(data: string | Buffer): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(data);
  }

  /** Resolves when the server has closed the connection. */
  waitClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** Waits for a line matching `predicate` (or for the close, then fails). */
  async waitForLine(predicate: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      for (const line of this.lines) {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (predicate(message)) return message;
      }
      if (this.closed) throw new Error(`connection closed without the expected line; got: ${this.lines.join(' | ')}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The `error.data.code` of the first error frame received, if any. */
  firstErrorCode(): string | undefined {
    for (const line of this.lines) {
      const message = JSON.parse(line) as { error?: { data?: { code?: string } } };
      if (message.error?.data?.code !== undefined) return message.error.data.code;
    }
    return undefined;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** Polls `condition` until it holds: for state only observable by looking (no event to await). */
export async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
