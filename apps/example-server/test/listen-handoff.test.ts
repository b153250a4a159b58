import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, ENTRY, FIXTURES, forkServer, request, serverEnv, tempHome, track } from './helpers/server-process.js';

afterEach(cleanUp);

async function listeningSocket(): Promise<{ socket: net.Server; port: number }> {
  const socket = net.createServer();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.listen(0, '127.0.0.1', resolve);
  });
  return { socket, port: (socket.address() as net.AddressInfo).port };
}

function closed(socket: net.Server): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

describe('serving on a socket handed over', () => {
  it('systemd socket activation: serves on fd 3 when LISTEN_FDS=1 and LISTEN_PID is its pid', async () => {
    // The wrapper binds the socket, puts it on fd 3, sets LISTEN_PID to its own pid and execs the
    // server, which keeps that pid — what systemd does for a socket unit.
    const home = tempHome();
    const env = serverEnv({ SVC_HOME: home });
    const server = track(spawn('python3', [path.join(FIXTURES, 'systemd-activate.py'), process.execPath, ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    const [, port] = await server.waitForLine(/^activated port (\d+)$/);

    const url = await server.ready();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(server.stdout()).toContain('socket from systemd');
    for (let i = 0; i < 3; i++) expect((await request(`${url}/`)).json).toMatchObject({ pid: server.pid });
    // The lock is named after the port it was handed, not the PORT default it never bound.
    expect(readdirSync(path.join(home, 'run'))).toEqual([`example-server-${port}.lock`]);

    server.process.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('svc supervisor handoff: serves on the { svc: "listen" } server handle, says READY over IPC and stops on { svc: "shutdown" }', async () => {
    const { socket, port } = await listeningSocket();
    const server = forkServer({ SVC_HOME: tempHome(), PORT: String(port), SVC_NOTIFY: 'ipc', SVC_LISTEN: 'ipc', LOCK: '0' });
    const messages: unknown[] = [];
    const seen = (svc: string) =>
      new Promise<void>((resolve) => {
        const look = (message: unknown): void => {
          if ((message as { svc?: unknown }).svc !== svc) return;
          server.process.off('message', look);
          resolve();
        };
        server.process.on('message', look);
      });
    server.process.on('message', (message) => messages.push(message));
    const ready = seen('ready');

    // Sent as soon as the child runs, the way a supervisor would: the server must already be waiting for it.
    await new Promise<void>((resolve) => server.process.once('spawn', resolve));
    await new Promise<void>((resolve, reject) => server.process.send({ svc: 'listen' }, socket, (error) => (error ? reject(error) : resolve())));
    await closed(socket);

    await ready;
    const url = await server.ready();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(server.stdout()).toContain('socket from ipc');
    expect((await request(`${url}/`)).json).toMatchObject({ pid: server.pid });

    const stopping = seen('stopping');
    server.process.send({ svc: 'shutdown' });
    await stopping;
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(messages).toContainEqual({ svc: 'ready' });
  });
});
