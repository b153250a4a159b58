import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDrain } from '../src/index.js';
import { killAll, startFixture } from './helpers/child.js';

afterEach(killAll);

async function connectClients(port: number, count: number) {
  return Promise.all(
    Array.from({ length: count }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.on('error', () => undefined);
      return new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
        ws.once('open', () => resolve({ ws, closed }));
        ws.once('error', reject);
      });
    }),
  );
}

describe('upgraded sockets', () => {
  it('are handed to closeUpgraded when the listener closes, and the drain ends clean once they close', async () => {
    const child = startFixture('server.mjs', { kind: 'ws', closeUpgraded: true, timeoutMs: 20_000 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const clients = await connectClients(port, 3);
    await child.waitFor(() => child.events.filter((e) => e.event === 'ws-connection').length === 3, 'three connections');
    child.signal('SIGTERM');
    expect(await Promise.all(clients.map((c) => c.closed))).toEqual([1001, 1001, 1001]);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.events.filter((e) => e.event === 'close-upgraded')).toHaveLength(3);
  });

  it('without a hook stay open until the deadline and are then destroyed', async () => {
    const child = startFixture('server.mjs', { kind: 'ws', timeoutMs: 1_500 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const clients = await connectClients(port, 3);
    await child.waitFor(() => child.events.filter((e) => e.event === 'ws-connection').length === 3, 'three connections');
    child.signal('SIGTERM');
    await child.waitFor((e) => e.event === 'phase' && e.phase === 'closing', 'closing');
    // Still usable while the drain waits: an echo comes back after the listener closed.
    const echo = await new Promise<string>((resolve) => {
      clients[0]!.ws.once('message', (data: Buffer) => resolve(data.toString()));
      clients[0]!.ws.send('still here');
    });
    expect(echo).toBe('still here');
    expect(await Promise.all(clients.map((c) => c.closed))).toEqual([1006, 1006, 1006]);
    expect(await child.exited).toEqual({ code: 1, signal: null });
    const stopped = child.events.find((e) => e.event === 'phase' && e.phase === 'stopped')!;
    expect(stopped.data).toMatchObject({ timedOut: true, clean: false, destroyed: { upgraded: 3 } });
  });

  it('leaves Node answering an upgrade request as a plain request when the app has no upgrade listener', async () => {
    const server = http.createServer((req, res) => res.end(`plain:${req.headers.upgrade}`));
    const drain = createDrain({ servers: [server], signals: [], exit: false, ipc: false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, agent: false, headers: { connection: 'upgrade', upgrade: 'websocket' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('upgrade', () => reject(new Error('upgraded without an application listener')));
      req.on('error', reject);
    });
    expect(body).toBe('plain:websocket');
    expect(server.listenerCount('upgrade')).toBe(0);
    await drain.shutdown();
  });
});
