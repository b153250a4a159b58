import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../src/index.js';
import { fixture, forkFixture, killAll, spawnCommand, startFixture } from './helpers/child.js';

afterEach(killAll);

function getBody(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('listen(): socket handoff', () => {
  it('serves on the fd systemd passes (LISTEN_FDS / LISTEN_PID, fd 3) and clears the variables', async () => {
    const child = spawnCommand('python3', [fixture('systemd-activate.py'), process.execPath, fixture('listen.mjs'), JSON.stringify({ port: 0 })]);
    const { port } = await child.waitFor((e) => e.event === 'activated');
    const listening = await child.waitFor((e) => e.event === 'listening');
    expect(listening).toMatchObject({ source: 'systemd', port, env: { LISTEN_FDS: null, LISTEN_PID: null } });
    expect(await getBody(port)).toBe(String(child.pid));
  });

  it('ignores LISTEN_FDS meant for another process and binds its own port', async () => {
    const child = startFixture('listen.mjs', { port: 0 }, { LISTEN_FDS: '1', LISTEN_PID: '1' });
    const listening = await child.waitFor((e) => e.event === 'listening');
    expect(listening.source).toBe('port');
    expect(await getBody(listening.port)).toBe(String(child.pid));
  });

  it('serves on the server handle the supervisor sends over IPC', async () => {
    const handed = net.createServer();
    await new Promise<void>((resolve) => handed.listen(0, '127.0.0.1', resolve));
    const { port } = handed.address() as net.AddressInfo;
    const child = forkFixture('listen.mjs', { port: 0 }, { SVC_NOTIFY: 'ipc', SVC_LISTEN: 'ipc' });
    await child.waitFor((e) => e.event === 'waiting');
    await new Promise<void>((resolve, reject) =>
      child.process.send({ svc: 'listen' }, handed, (error) => (error ? reject(error) : resolve())),
    );
    // The child holds its own copy now; ours stops accepting so every connection goes to the child.
    await new Promise<void>((resolve) => handed.close(() => resolve()));
    const listening = await child.waitFor((e) => e.event === 'listening');
    expect(listening).toMatchObject({ source: 'ipc', port });
    expect(await getBody(port)).toBe(String(child.pid));
    expect(await getBody(port)).toBe(String(child.pid));
  });

  it('fails with EDRAIN_LISTEN_HANDOFF when the listen message carries no handle', async () => {
    const child = forkFixture('listen.mjs', { port: 0 }, { SVC_NOTIFY: 'ipc', SVC_LISTEN: 'ipc' });
    await child.waitFor((e) => e.event === 'waiting');
    child.process.send({ svc: 'listen' });
    const failure = await child.waitFor((e) => e.event === 'listen-error');
    expect(failure.code).toBe('EDRAIN_LISTEN_HANDOFF');
    expect(failure.message).toMatch(/no handle/);
  });

  it('fails with EDRAIN_LISTEN_HANDOFF when no handle comes in time, or there is no channel at all', async () => {
    const late = forkFixture('listen.mjs', { port: 0, handoffTimeoutMs: 200 }, { SVC_NOTIFY: 'ipc', SVC_LISTEN: 'ipc' });
    expect(await late.waitFor((e) => e.event === 'listen-error')).toMatchObject({ code: 'EDRAIN_LISTEN_HANDOFF' });
    const orphan = startFixture('listen.mjs', { port: 0 }, { SVC_NOTIFY: 'ipc', SVC_LISTEN: 'ipc' });
    expect(await orphan.waitFor((e) => e.event === 'listen-error')).toMatchObject({ code: 'EDRAIN_LISTEN_HANDOFF' });
  });

  it('rejects malformed systemd variables with EDRAIN_LISTEN_FDS and leaves the server closed', async () => {
    const server = http.createServer();
    for (const env of [
      { LISTEN_PID: String(process.pid), LISTEN_FDS: 'three' },
      { LISTEN_PID: String(process.pid), LISTEN_FDS: '0' },
      { LISTEN_PID: String(process.pid) },
      { LISTEN_PID: 'me', LISTEN_FDS: '1' },
    ]) {
      await expect(listen(server, { port: 0, env }), JSON.stringify(env)).rejects.toMatchObject({ code: 'EDRAIN_LISTEN_FDS' });
      expect(server.listening).toBe(false);
    }
  });

  it('binds its own port otherwise, and reports a port in use as EDRAIN_LISTEN with the cause', async () => {
    const first = http.createServer();
    const result = await listen(first, { port: '0', host: '127.0.0.1', env: {} });
    expect(result.source).toBe('port');
    const { port } = result.address as net.AddressInfo;
    const second = http.createServer();
    await expect(listen(second, { port, host: '127.0.0.1', env: {} })).rejects.toMatchObject({
      code: 'EDRAIN_LISTEN',
      source: 'port',
      cause: expect.objectContaining({ code: 'EADDRINUSE' }),
    });
    await new Promise((resolve) => first.close(resolve));
  });

  it('rejects bad options with EDRAIN_OPTIONS', async () => {
    const server = http.createServer();
    for (const [options, option] of [
      [{ port: 'http' }, 'port'],
      [{ port: 70_000 }, 'port'],
      [{ port: -1 }, 'port'],
      [{ port: '3000abc' }, 'port'],
      [{ port: 0, host: '' }, 'host'],
      [{ port: 0, backlog: 0 }, 'backlog'],
      [{ port: 0, handoffTimeoutMs: -1 }, 'handoffTimeoutMs'],
      [{ port: 0, tls: true }, 'tls'],
      [{ env: {} }, 'port'],
    ] as const) {
      await expect(listen(server, options as never), JSON.stringify(options)).rejects.toMatchObject({ code: 'EDRAIN_OPTIONS', option });
    }
    await expect(listen({ listen() {} } as never, { port: 0 })).rejects.toMatchObject({ code: 'EDRAIN_OPTIONS', option: 'server' });
    expect(server.listening).toBe(false);
  });
});
