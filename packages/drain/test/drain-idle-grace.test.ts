import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDrain, IDLE_GRACE_MS } from '../src/index.js';

/** Sends one request on `socket` and resolves with the raw response head once it has fully arrived. */
function exchange(socket: net.Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(data);
      if (end !== -1 && length && data.length >= end + 4 + Number(length[1])) {
        cleanup();
        resolve(data);
      }
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`connection closed before a response; received ${JSON.stringify(data)}`));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onEnd);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('idle keep-alive connections while closing', () => {
  it('answer a request that comes on an idle connection after the listener closed, with Connection: close, instead of resetting it', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('Content-Length', '2');
      res.end('ok');
    });
    const drain = createDrain({ servers: [server], signals: [], exit: false, ipc: false, timeoutMs: 10_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));

    const first = await exchange(socket, '/first');
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(first).toMatch(/connection: keep-alive/i);

    // The connection is idle, keep-alive, when the shutdown begins; the client sends its next
    // request a moment later, well inside the grace.
    const done = drain.shutdown('test');
    await new Promise((resolve) => setTimeout(resolve, IDLE_GRACE_MS / 10));
    const second = await exchange(socket, '/second');
    expect(second).toMatch(/^HTTP\/1\.1 200/);
    expect(second).toMatch(/connection: close/i);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const result = await done;
    expect(result.clean).toBe(true);
    expect(result.destroyed.sockets).toBe(0);
  });

  it('are closed once they stayed idle for the grace, so the drain still ends well before its deadline', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    const drain = createDrain({ servers: [server], signals: [], exit: false, ipc: false, timeoutMs: 30_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => {
      // The server closing the idle connection is what this test waits for.
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const result = await drain.shutdown('test');
    await closed;
    // Closed by the sweep (not destroyed at the 30 s deadline): the drain ended by itself.
    expect(result.timedOut).toBe(false);
    expect(result.clean).toBe(true);
  });
});
