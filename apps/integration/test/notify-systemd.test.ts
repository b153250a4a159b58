import { execFile, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync, realpathSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { pageBlocks } from '../../../tooling/doc-blocks.js';
import { freePort } from './helpers/http.js';
import { AS_NOBODY, NOBODY, asRoot, nodeForNobody, reachable } from './helpers/other-user.js';
import { SVC_BIN } from './helpers/paths.js';
import { isAlive, signal } from './helpers/processes.js';
import { createSandbox, type Sandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * systemd's notify protocol under svc, end to end with the built CLI: a shell script with the real
 * `systemd-notify`, the Python client of docs/guides/readiness.md (read from the page), PostgreSQL
 * from Debian's packages (built with libsystemd: it sends READY=1 only when NOTIFY_SOCKET is set),
 * and a process of another user, which must not be heard.
 */
const run = promisify(execFile);
const made: string[] = [];
const restore: Array<() => void> = [];
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function events(sb: Sandbox, name: string): Promise<Array<Record<string, unknown>>> {
  const result = await sb.ok(['logs', name, '--events', '-n', '500']);
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/** Sends one datagram to `socket` with Python (run as `user`), and says how that went. */
function sendAs(user: 'nobody' | 'me', socket: string, text: string): { status: number | null; stderr: string } {
  const script = 'import socket, sys\nwith socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:\n    s.sendto(sys.argv[2].encode(), sys.argv[1])';
  const command = [...(user === 'nobody' ? AS_NOBODY : []), '/usr/bin/python3', '-c', script, socket, text];
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', cwd: '/' });
  return { status: result.status, stderr: result.stderr };
}

it('a shell script with the real systemd-notify: svc start returns running, svc status shows its STATUS=', async () => {
  const sb = createSandbox();
  sb.writeConfig({
    services: {
      warm: { command: 'bash', args: ['-c', 'sleep 1; systemd-notify --ready --status="warming done"; exec sleep 1000'], readiness: { type: 'notify', timeout: '60s' } },
    },
  });
  const started = await sb.ok(['start', 'warm']);
  expect(started.stdout).toMatch(/^warm is running \(pid \d+\)$/m);
  const item = (await sb.item('warm'))!;
  expect(item).toMatchObject({ state: 'running', health: 'warming done' });
  expect((await sb.svc(['status'])).stdout).toMatch(/^warm\s+running\s.*warming done$/m);
  await sb.ok(['stop', 'warm']);
});

it('the Python client of the docs: a slow start extends its timeout, WATCHDOG=1 keeps it, a hung process is restarted as a liveness failure', async () => {
  const snippet = pageBlocks('guides/readiness.md').find((b) => b.title === 'notify.py');
  expect(snippet, 'docs/guides/readiness.md has a [notify.py] block').toBeDefined();
  const sb = createSandbox();
  sb.writeFile('notify.py', `${snippet!.code}\n`);
  sb.writeConfig({
    services: {
      // readiness.timeout is shorter than the script's 8 s start (and leaves Python time to start on a
      // loaded machine): only its EXTEND_TIMEOUT_USEC= lets it start. The heartbeat timeout is 2 s
      // (a beat every 1 s), so a loaded machine does not miss one.
      py: {
        command: 'python3',
        args: ['notify.py'],
        readiness: { type: 'notify', timeout: '5s' },
        liveness: { heartbeatTimeout: '2s' },
        stop: { timeout: '2s' },
        restart: { delay: '200ms' },
      },
    },
  });
  await sb.ok(['start', 'py']);
  const before = (await sb.item('py'))!;
  expect(before).toMatchObject({ state: 'running', health: 'serving' });
  expect(environOf(before.pid!).WATCHDOG_USEC).toBe('2000000');
  // Beating: the same run stays up for three heartbeat timeouts (a silent one would be restarted after one).
  await waitUntil(
    'py to have run for three heartbeat timeouts',
    async () => {
      const item = (await sb.item('py'))!;
      expect(item).toMatchObject({ state: 'running', pid: before.pid, restarts: 0 });
      return item.uptimeMs > 6_000;
    },
    { timeoutMs: 60_000 },
  );
  expect((await events(sb, 'py')).filter((e) => e.notify === 'WATCHDOG=1')).toMatchObject([{ first: true, pid: before.pid }]);

  // Hung: stopped, it sends nothing.
  signal(before.pid!, 'SIGSTOP');
  const after = await waitUntil(
    'py to be restarted after its heartbeat stopped',
    async () => {
      const item = await sb.item('py');
      return item && item.state === 'running' && item.restarts === 1 ? item : undefined;
    },
    { timeoutMs: 90_000 },
  );
  expect(after.pid).not.toBe(before.pid);
  expect(isAlive(before.pid!)).toBe(false);
  const log = await events(sb, 'py');
  expect(log).toContainEqual(expect.objectContaining({ type: 'liveness-failed', check: 'heartbeat', pid: before.pid }));
  expect(log).toContainEqual(expect.objectContaining({ type: 'status', notify: 'EXTEND_TIMEOUT_USEC=10000000', extended: 'start' }));
  await sb.ok(['stop', 'py']);
});

it.runIf(asRoot)('a process of another user cannot reach the socket; one of the daemon\'s user outside the service reaches it and is not heard', async () => {
  const sb = createSandbox();
  sb.writeConfig({ services: { quiet: { command: 'bash', args: ['-c', 'systemd-notify --ready --status=mine; exec sleep 1000'], readiness: { type: 'notify', timeout: '60s' } } } });
  await sb.ok(['start', 'quiet']);
  const item = (await sb.item('quiet'))!;
  expect(item.health).toBe('mine');
  const socket = environOf(item.pid!).NOTIFY_SOCKET!;
  expect(statSync(socket).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);

  const refused = sendAs('nobody', socket, 'STATUS=from nobody');
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('PermissionError');
  // The daemon's own user gets through the file's mode, but its pid is not the service's: the
  // kernel's credentials on the datagram say so (a client that exits at once may be gone by then).
  expect(sendAs('me', socket, 'STATUS=from the same user')).toMatchObject({ status: 0 });
  const ignored = await waitUntil('the outsider\'s datagram recorded as ignored', async () =>
    (await events(sb, 'quiet')).find((e) => e.type === 'status' && e.notify === 'ignored'),
  );
  expect(ignored.reason).toMatch(/^pid \d+ \(uid 0\) (is not a process of this service|had exited before svc read what it sent)/);
  expect((await sb.item('quiet'))?.health).toBe('mine');
  const texts = (await events(sb, 'quiet')).map((e) => e.text);
  expect(texts).not.toContain('from nobody');
  expect(texts).not.toContain('from the same user');
  await sb.ok(['stop', 'quiet']);
});

/** The newest PostgreSQL of Debian's packages (`apt install postgresql`). */
function postgresBin(): string {
  if (process.env.SVC_POSTGRES_BIN) return process.env.SVC_POSTGRES_BIN;
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return path.join('/usr/lib/postgresql', versions[0]!, 'bin');
}

it('PostgreSQL (Debian, built with libsystemd) under svc with readiness notify: svc start returns once it accepts connections; it stops cleanly', async () => {
  const bin = postgresBin();
  // PostgreSQL refuses to run as root: as root, the whole of svc runs as nobody, as a user's would.
  let sb: Sandbox;
  if (asRoot) {
    const { node, dir } = nodeForNobody();
    made.push(dir);
    restore.push(reachable(SVC_BIN));
    const userHome = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-it-nobody-')));
    made.push(userHome);
    sb = createSandbox({ svc: [...AS_NOBODY, node, SVC_BIN], env: { HOME: userHome } });
    for (const dir of [sb.home, sb.dir, userHome]) chownSync(dir, NOBODY, NOBODY);
  } else {
    sb = createSandbox();
  }
  const data = path.join(sb.dir, 'pgdata');
  mkdirSync(data, { mode: 0o700 });
  if (asRoot) chownSync(data, NOBODY, NOBODY);
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    cwd: sb.dir,
    encoding: 'utf8',
  });
  expect(init.status, init.stderr).toBe(0);

  const port = await freePort();
  sb.writeConfig({
    services: {
      pg: {
        command: path.join(bin, 'postgres'),
        args: ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'shared_buffers=16MB'],
        readiness: { type: 'notify', timeout: '90s' },
        stop: { signal: 'SIGINT', timeout: '30s' },
      },
    },
  });
  await sb.ok(['start', 'pg']);
  // Ready means accepting: at once, no retry.
  expect((await run('pg_isready', ['-h', '127.0.0.1', '-p', String(port)])).stdout).toContain('accepting connections');
  expect((await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-Atc', 'select 40 + 2'])).stdout.trim()).toBe('42');
  const item = (await sb.item('pg'))!;
  expect(item.state).toBe('running');

  await sb.ok(['stop', 'pg']);
  expect(isAlive(item.pid!)).toBe(false);
  const log = await events(sb, 'pg');
  const ready = log.find((e) => e.type === 'ready');
  expect(ready).toMatchObject({ pid: item.pid });
  expect(log).toContainEqual(expect.objectContaining({ type: 'status', notify: 'STOPPING=1', pid: item.pid }));
  expect(log.filter((e) => e.type === 'exited')).toMatchObject([{ code: 0, signal: null }]);
  expect(log.filter((e) => e.type === 'killed')).toEqual([]);
});
