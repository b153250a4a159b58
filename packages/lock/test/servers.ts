import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * Real Redis, PostgreSQL and PgBouncer servers for the backend tests, each a child process on a
 * free port with its data in a temp dir. PostgreSQL and PgBouncer refuse to run as root, so when
 * the tests run as root both run as the unprivileged user `nobody`, with their directories
 * chowned to it. Every server runs in its own process group; `stop()` ends the group.
 */

const POSTGRES_BIN = process.env.SVC_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const UNPRIVILEGED = { uid: 65534, gid: 65534 };
const asUnprivileged: { uid?: number; gid?: number } = process.getuid?.() === 0 ? UNPRIVILEGED : {};

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Ends the server (SIGTERM, or the signal given) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (asUnprivileged.uid !== undefined) chownSync(dir, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
  return dir;
}

/** Resolves when `pattern` appears in the child's output; rejects if it exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code}) before it was ready:\n${seen.slice(-2000)}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Live (not zombie) processes whose process group is `pgid`, from /proc. */
function liveMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

/**
 * Waits until no process of the group is alive. The leader's exit is not enough: PostgreSQL's
 * backends outlive a SIGKILLed postmaster for a moment, still attached to its shared memory, and a
 * new postmaster on the same data dir refuses to start while they are ("pre-existing shared
 * memory block is still in use").
 */
async function groupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const left = liveMembers(pgid);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still has live members after 15 s: ${left.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function stopper(child: ChildProcess, defaultSignal: NodeJS.Signals) {
  return async (signal: NodeJS.Signals = defaultSignal) => {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, signal);
      } catch (error) {
        // ESRCH: the group is already gone; the exit event has fired or is about to.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
        resolve();
      }
    });
    await groupGone(child.pid!);
  };
}

const running = new Set<ServerProcess>();

export interface RedisServer extends ServerProcess {
  dir: string;
  /** Starts the server again on the same port and dir (after `stop`). */
  restart(): Promise<void>;
}

/**
 * redis-server on 127.0.0.1. With `durable`, every write is fsynced to an append-only file before
 * it is acknowledged, so a restart keeps the data; without it, nothing is saved.
 */
export async function startRedis(options: { durable?: boolean } = {}): Promise<RedisServer> {
  const dir = makeTempDir('svc-redis-');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'no'];
  args.push(...(options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  const server = {} as RedisServer;
  const launch = async () => {
    const child = spawn('redis-server', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(child, /Ready to accept connections/, 'redis-server');
    server.child = child;
  };
  Object.assign(server, { port, dir, url: `redis://127.0.0.1:${port}`, restart: launch, stop: (signal?: NodeJS.Signals) => stopper(server.child, 'SIGTERM')(signal) });
  await launch();
  running.add(server);
  return server;
}

export interface PostgresServer extends ServerProcess {
  dir: string;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` with trust authentication. */
  url: string;
  restart(): Promise<void>;
}

/** initdb into a temp dir and start postgres on 127.0.0.1 (TCP only, trust auth, fsync off). */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = makeTempDir('svc-pg-');
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(POSTGRES_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    ...asUnprivileged,
    cwd: dir,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}`);
  const port = await freePort();
  const server = { port, dir, url: `postgres://postgres@127.0.0.1:${port}/postgres` } as PostgresServer;
  const launch = async () => {
    const child = spawn(
      path.join(POSTGRES_BIN, 'postgres'),
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=200', '-c', 'shared_buffers=16MB'],
      { ...asUnprivileged, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForOutput(child, /database system is ready to accept connections/, 'postgres');
    server.child = child;
  };
  server.restart = launch;
  // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, close sessions, exit.
  server.stop = (signal?: NodeJS.Signals) => stopper(server.child, 'SIGINT')(signal);
  await launch();
  running.add(server);
  return server;
}

/** PgBouncer in front of `postgres`, in the pool mode given, as `nobody`. */
export async function startPgBouncer(postgres: PostgresServer, poolMode: 'transaction' | 'session'): Promise<ServerProcess> {
  const dir = makeTempDir('svc-pgbouncer-');
  const port = await freePort();
  const users = path.join(dir, 'users.txt');
  writeFileSync(users, '"postgres" ""\n');
  const config = path.join(dir, 'pgbouncer.ini');
  writeFileSync(
    config,
    [
      '[databases]',
      `postgres = host=127.0.0.1 port=${postgres.port} dbname=postgres user=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      `pool_mode = ${poolMode}`,
      'default_pool_size = 4',
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'),
  );
  for (const file of [users, config]) if (asUnprivileged.uid !== undefined) chownSync(file, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
  const child = spawn('pgbouncer', [config], { ...asUnprivileged, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, /process up|listening on/, 'pgbouncer');
  const server: ServerProcess = { port, url: `postgres://postgres@127.0.0.1:${port}/postgres`, child, stop: stopper(child, 'SIGINT') };
  running.add(server);
  return server;
}

/** Stops every server these helpers started and removes their temp dirs. */
export async function stopAllServers(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  for (const s of servers) if ('dir' in s && typeof s.dir === 'string') rmSync(s.dir, { recursive: true, force: true });
}
