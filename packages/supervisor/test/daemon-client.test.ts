import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonPaths, serviceLogFile } from '../src/daemon-paths.js';
import type { DaemonRow } from '../src/daemon-state.js';
import type { ServiceDefinition } from '../src/definition.js';
import { DAEMON_NODE_ARGS, adhocProject, connectDaemon, createDaemon, dismissDaemon, ensureDaemon, spawnDaemonEarly, SUPERVISOR_VERSION, waitForDaemonGone, withDaemon, type DaemonConnection } from '../src/index.js';
import { Harness, NODE, fixture, processesWithEnv, waitFor } from './helpers.js';

const h = new Harness();
const connections: DaemonConnection[] = [];
const homes: string[] = [];
/** A temp SVC_HOME whose daemon afterEach shuts down, whatever the test did with its connections. */
function home(): { SVC_HOME: string } {
  const dir = h.tempDir();
  homes.push(dir);
  return { SVC_HOME: dir };
}
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close();
  // A connection may have been closed by the code under test (withDaemon closes its own): ask
  // each home's daemon afresh, and wait until it is gone, before the directory is removed.
  for (const dir of homes.splice(0)) {
    const env = { SVC_HOME: dir };
    const c = await connectDaemon({ env });
    if (c) {
      await c.client.call('shutdown', null).catch(() => undefined);
      await c.close();
    }
    expect(await waitForDaemonGone({ env }, 15_000)).toBe(true);
    // The lock goes a moment before the process: wait for the process too.
    await waitFor(() => processesWithEnv(`SVC_HOME=${dir}`).length === 0, `the daemon of ${dir} to exit`);
  }
  await h.cleanup();
});

const entry = fixture('../../bin/daemon.mjs');

describe('daemon client', () => {
  it('finds no daemon, starts one on demand, and finds that one after', async () => {
    const env = home();
    expect(await connectDaemon({ env })).toBeNull();
    const first = await ensureDaemon({ env, entry });
    connections.push(first);
    expect(first.hello).toMatchObject({ version: SUPERVISOR_VERSION, protocol: 1 });
    expect(first.hello.pid).not.toBe(process.pid);
    // Node's own options for the daemon's process come before its script (node would pass them to the script after).
    const argv = readFileSync(`/proc/${first.hello.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(1, 2 + DAEMON_NODE_ARGS.length)).toEqual([...DAEMON_NODE_ARGS, entry]);
    const again = await ensureDaemon({ env, entry });
    connections.push(again);
    expect(again.hello.pid).toBe(first.hello.pid);
  });

  it('a start that reaches a daemon as it exits (ECLOSED) is asked again of a new daemon', async () => {
    const env = home();
    const closing = await createDaemon({ env, handleSignals: false });
    // A service that ignores SIGTERM keeps the closing daemon busy for its stop timeout.
    await closing.start(
      { project: adhocProject, service: 'stubborn' },
      { definition: { command: NODE, args: [fixture('ignore-term.mjs')], cwd: process.cwd(), readiness: { type: 'notify' }, stop: { timeout: 1500 } } },
    );
    const closed = closing.close();
    let attempts = 0;
    const rows = await withDaemon({ env, entry }, async (connection) => {
      connections.push(connection);
      attempts++;
      return connection.client.call('start', { project: adhocProject, service: 'fresh', definition: { command: NODE, args: [fixture('http-server.mjs')], cwd: process.cwd() } });
    });
    await closed;
    expect(attempts).toBe(2);
    expect(rows.map((r) => [r.name, r.state])).toEqual([['fresh', 'running']]);
    expect(await waitForDaemonGone({ env }, 1)).toBe(false);
  });

  it('a daemon spawned early is joined by ensureDaemon, and none is spawned while a socket is there', async () => {
    const env = home();
    const spawned = spawnDaemonEarly({ env, entry });
    expect(spawned?.pid).toBeGreaterThan(0);
    const connection = await ensureDaemon({ env, entry }, spawned);
    connections.push(connection);
    expect(connection).toMatchObject({ spawned: true, hello: { pid: spawned!.pid } });
    expect(spawnDaemonEarly({ env, entry })).toBeNull();
    expect(processesWithEnv(`SVC_HOME=${env.SVC_HOME}`).filter((p) => p.cmdline.includes('daemon.mjs'))).toHaveLength(1);
  });

  it('dismissDaemon: a daemon spawned for nothing exits at once; one another client gave work to stays', async () => {
    const env = home();
    const idle = spawnDaemonEarly({ env, entry })!;
    expect(await dismissDaemon(idle, { env })).toBe(true);
    expect(idle.exited).toEqual({ code: 0, signal: null });
    expect(processesWithEnv(`SVC_HOME=${env.SVC_HOME}`)).toEqual([]);

    // Spawned early by one client; another starts a service on it before the first dismisses it.
    // (The other client connects once that daemon serves: asked earlier, it would spawn one of its
    // own, and either could win the lock.)
    const busy = spawnDaemonEarly({ env, entry })!;
    let other: DaemonConnection | null = null;
    for (const deadline = performance.now() + 15_000; !other && performance.now() < deadline; ) {
      other = await connectDaemon({ env });
      if (!other) await new Promise((r) => setTimeout(r, 10));
    }
    if (!other) throw new Error('the early daemon never served');
    connections.push(other);
    expect(other.hello.pid).toBe(busy.pid);
    await other.client.call('start', { project: adhocProject, service: 'kept', definition: { command: NODE, args: [fixture('http-server.mjs')], cwd: process.cwd() } });
    expect(await dismissDaemon(busy, { env })).toBe(false);
    expect(busy.exited).toBeNull();
    const rows = await other.client.call('status', {});
    expect(rows.map((r) => [r.name, r.state])).toEqual([['kept', 'running']]);
  });

  it('shutdown { ifIdle } is declined while the daemon starts or runs a service; a plain shutdown is not', async () => {
    const env = home();
    const d = await createDaemon({ env, handleSignals: false });
    const a = (await connectDaemon({ env }))!;
    const b = (await connectDaemon({ env }))!;
    connections.push(a, b);
    // A start whose service takes its time to be ready keeps a call open on the daemon.
    const starting = a.client.call('start', {
      project: adhocProject,
      service: 'slow',
      definition: { command: NODE, args: ['-e', "setTimeout(() => process.send({ svc: 'ready' }), 1500); setInterval(() => {}, 1e6)"], cwd: process.cwd(), readiness: { type: 'notify' } },
    });
    await waitFor(() => d.status().some((r) => r.name === 'slow'), 'the start to be under way');
    expect(await b.client.call('shutdown', { ifIdle: true })).toEqual({ stopped: 0, declined: true });
    await starting;
    expect(await b.client.call('shutdown', { ifIdle: true })).toEqual({ stopped: 0, declined: true });
    await expect(b.client.call('shutdown', { ifIdle: 'yes' } as never)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
    expect(await b.client.call('shutdown', null)).toEqual({ stopped: 1 });
    await d.done;
  });

  it('a start handed over at spawn begins without any call; the spawning client collects it by its token, the service spawned once', async () => {
    const env = home();
    const spawned = spawnDaemonEarly({ env, entry })!;
    const definition: ServiceDefinition = { command: NODE, args: [fixture('http-server.mjs')], cwd: process.cwd(), readiness: { type: 'notify' } };
    spawned.handOver({ token: 'cli-1', project: adhocProject, service: 'handed', definition, environment: { HANDED: 'yes' } });
    const connection = await ensureDaemon({ env, entry }, spawned);
    connections.push(connection);
    // Nobody asked for a start over the socket: the daemon began it from its stdin.
    let running: DaemonRow | undefined;
    for (const deadline = performance.now() + 15_000; !running && performance.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      running = (await connection.client.call('status', {})).find((r) => r.name === 'handed' && r.state === 'running');
    }
    if (!running) throw new Error('the handed-over service never ran');
    const rows = await connection.client.call('start', { project: adhocProject, service: 'handed', definition, environment: null, handoff: 'cli-1' });
    expect(rows.map((r) => [r.name, r.state, r.pid])).toEqual([['handed', 'running', running.pid]]);
    // The handed-over environment is the one the service got.
    expect(readFileSync(`/proc/${running.pid}/environ`, 'utf8').split('\0')).toContain('HANDED=yes');
    const events = readFileSync(serviceLogFile(daemonPaths(env), adhocProject.id, 'handed', 'events'), 'utf8');
    expect(events.split('\n').filter((l) => l.includes('"type":"spawned"'))).toHaveLength(1);
    await expect(connection.client.call('start', { project: adhocProject, service: 'handed', handoff: 'no spaces' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
  });

  it('a handed-over start that failed is collected as that failure, not begun again (the daemon then exits, idle); a bad handoff is ignored and the daemon serves', async () => {
    const env = home();
    const spawned = spawnDaemonEarly({ env, entry })!;
    const definition: ServiceDefinition = { command: NODE, args: [fixture('exit-with.mjs'), '3'], cwd: process.cwd(), restart: { policy: 'never' } };
    spawned.handOver({ token: 'cli-2', project: adhocProject, service: 'doomed', definition, environment: null });
    const connection = await ensureDaemon({ env, entry }, spawned);
    connections.push(connection);
    await expect(connection.client.call('start', { project: adhocProject, service: 'doomed', definition, environment: null, handoff: 'cli-2' })).rejects.toMatchObject({
      code: 'ESTART_FAILED',
      data: { stderrTail: ['about to exit 3'] },
    });
    const events = readFileSync(serviceLogFile(daemonPaths(env), adhocProject.id, 'doomed', 'events'), 'utf8');
    expect(events.split('\n').filter((l) => l.includes('"type":"spawned"'))).toHaveLength(1);

    const env2 = home();
    const bad = spawnDaemonEarly({ env: env2, entry })!;
    bad.handOver({ token: 'cli-3', project: adhocProject, service: 'x', definition: 'not an object' as unknown as object, environment: null });
    const other = await ensureDaemon({ env: env2, entry }, bad);
    connections.push(other);
    expect(await other.client.call('status', {})).toEqual([]);
    await waitFor(() => readFileSync(daemonPaths(env2).logFile, 'utf8').includes('ignoring the start handed over at spawn: expected definition: an object'), 'the daemon to log the bad handoff');
  });
});

