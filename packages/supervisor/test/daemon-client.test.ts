import { afterEach, describe, expect, it } from 'vitest';
import { adhocProject, connectDaemon, createDaemon, ensureDaemon, SUPERVISOR_VERSION, waitForDaemonGone, withDaemon, type DaemonConnection } from '../src/index.js';
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
});
