import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectIpc, type IpcClient } from '../src/index.js';
import { cleanup, type Fixture, RawPeer, startServerFixture, tempDir, until } from './helpers.js';

/*
 * Hostile input against a live server in its own process (so a crash, an unhandled rejection or
 * memory growth is the server's own, observable from outside). An honest client stays connected the
 * whole time and calls in a loop; after each attack it must have gone on being answered.
 */

const FRAME_TIMEOUT_MS = 2_000;
const IDLE_TIMEOUT_MS = 4_000;

let server: Fixture & { info: { pid: number; path: string } };
let honest: IpcClient;
let honestAnswers = 0;
const honestErrors: unknown[] = [];
let running = true;
let honestLoop: Promise<void>;
let baselineRssBytes = 0;

beforeAll(async () => {
  const dir = await tempDir();
  server = await startServerFixture({
    path: path.join(dir, 'run', 'admin.sock'),
    options: { frameTimeoutMs: FRAME_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS },
  });
  honest = await connectIpc(server.info.path, { timeoutMs: 30_000 });
  // Warm up, then take the memory baseline.
  for (let i = 0; i < 200; i++) await honest.call('echo', { i });
  baselineRssBytes = ((await honest.call('memory')) as { rssBytes: number }).rssBytes;
  honestLoop = (async () => {
    let n = 0;
    while (running) {
      try {
        const answer = await honest.call('echo', ++n);
        if (answer === n) honestAnswers++;
        else honestErrors.push(new Error(`cross-talk: sent ${n}, got ${JSON.stringify(answer)}`));
      } catch (error) {
        honestErrors.push(error);
        return;
      }
      // Pace the loop; the idle timeout never fires on a client that keeps calling.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
});

afterAll(async () => {
  running = false;
  await honestLoop;
  await honest?.close();
  await cleanup();
});

/** Runs an attack, then checks the server survived it and the honest client was answered meanwhile. */
async function survives(attack: () => Promise<void>): Promise<void> {
  const before = honestAnswers;
  await attack();
  await until(() => honestAnswers >= before + 3 || honestErrors.length > 0, 'honest answers');
  expect(honestErrors).toEqual([]);
  expect(server.child.exitCode).toBeNull();
  expect(server.child.signalCode).toBeNull();
  expect(server.stderr()).not.toContain('FATAL');
}

async function peer(): Promise<RawPeer> {
  const connection = new RawPeer(server.info.path);
  await connection.ready();
  return connection;
}

describe('hostile input against a live server', () => {
  it('random bytes: an error, then the connection is closed', async () => {
    await survives(async () => {
      const bad = await peer();
      bad.write(Buffer.concat([Buffer.from('\u0000garbage'), randomBytes(64 * 1024), Buffer.from('\n')]));
      await bad.waitClosed();
      expect(bad.firstErrorCode()).toBe('EIPC_BAD_FRAME');
    });
  });

  it('a truncated frame ended by the client: EIPC_BAD_FRAME', async () => {
    await survives(async () => {
      const bad = await peer();
      bad.socket.end('{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":');
      await bad.waitClosed();
      expect(bad.firstErrorCode()).toBe('EIPC_BAD_FRAME');
      expect(bad.lines[0]).toContain('truncated');
    });
  });

  it('a truncated frame left hanging: EIPC_TIMEOUT after frameTimeoutMs', async () => {
    await survives(async () => {
      const bad = await peer();
      bad.write('{"jsonrpc":"2.0","id":1,"method":"echo","par');
      await bad.waitClosed();
      expect(bad.firstErrorCode()).toBe('EIPC_TIMEOUT');
      expect(bad.lines[0]).toContain('frameTimeoutMs');
    });
  });

  it('a 10 MB line without a newline: EIPC_FRAME_TOO_LARGE, cut off long before the end', async () => {
    await survives(async () => {
      const bad = await peer();
      const total = 10 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      while (sent < total && !bad.closed) {
        if (!bad.write(chunk)) {
          await new Promise<void>((resolve) => {
            // Whichever comes first; the other listener goes too, so none pile up over the loop.
            const done = () => {
              bad.socket.off('drain', done);
              bad.socket.off('close', done);
              resolve();
            };
            bad.socket.once('drain', done);
            bad.socket.once('close', done);
          });
        }
        sent += chunk.length;
      }
      await bad.waitClosed();
      expect(bad.firstErrorCode()).toBe('EIPC_FRAME_TOO_LARGE');
      expect(sent).toBeLessThan(total / 2);
    });
  });

  it('deep JSON nesting: EIPC_BAD_FRAME', async () => {
    await survives(async () => {
      const bad = await peer();
      const depth = 200_000;
      bad.write(`{"jsonrpc":"2.0","id":1,"method":"echo","params":${'['.repeat(depth)}${']'.repeat(depth)}}\n`);
      await bad.waitClosed();
      expect(bad.firstErrorCode()).toBe('EIPC_BAD_FRAME');
      expect(bad.lines[0]).toContain('deeper');
    });
  });

  it('invalid UTF-8: EIPC_BAD_FRAME', async () => {
    await survives(async () => {
      const bad = await peer();
      bad.write(
        Buffer.concat([
          Buffer.from('{"jsonrpc":"2.0","id":1,"method":"echo","params":"'),
          Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80]),
          Buffer.from('"}\n'),
        ]),
      );
      await bad.waitClosed();
      expect(bad.firstErrorCode()).toBe('EIPC_BAD_FRAME');
      expect(bad.lines[0]).toContain('UTF-8');
    });
  });

  it('a peer that goes on writing after the error frame still reads it (lingering close)', async () => {
    await survives(async () => {
      const bad = await peer();
      // Not reading yet: the error frame and the server's FIN wait unread on our side while we
      // write on. A server that destroyed its end right after the FIN would make these writes fail
      // with EPIPE, and the socket would be torn down before the frame was ever read.
      bad.socket.pause();
      bad.write('not json\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(bad.write('more bytes after the error\n')).not.toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(bad.socket.destroyed).toBe(false);
      bad.socket.resume();
      await bad.waitClosed();
      expect(bad.firstErrorCode()).toBe('EIPC_BAD_FRAME');
    });
  });

  it('a peer that never ends its side after the error frame is cut off by the server (linger bounded)', async () => {
    await survives(async () => {
      // allowHalfOpen: our side stays open after the server's FIN, as a hostile peer would keep it.
      const socket = net.createConnection({ path: server.info.path, allowHalfOpen: true });
      let writeError: NodeJS.ErrnoException | null = null;
      socket.on('error', (error) => (writeError = error));
      let received = '';
      let serverEnded = false;
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('end', () => (serverEnded = true));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('not json\n');
      // The server's FIN arrives, we never send ours: only the server's grace period can end this.
      // A Unix socket tells us the server's end is gone only when we write into it (EPIPE).
      await until(() => serverEnded, 'the server to end its side');
      const probe = setInterval(() => socket.write('x'), 100);
      try {
        await until(() => writeError !== null, 'the server to drop the connection');
      } finally {
        clearInterval(probe);
        socket.destroy();
      }
      expect(writeError!.code).toBe('EPIPE');
      expect(JSON.parse(received.split('\n')[0]!).error.data.code).toBe('EIPC_BAD_FRAME');
    });
  });

  it('one byte per second (slow loris): EIPC_TIMEOUT before the frame could finish', async () => {
    await survives(async () => {
      const bad = await peer();
      const frame = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"echo","params":"slow"}\n');
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < frame.length) bad.write(frame.subarray(sent, ++sent));
      }, 1_000);
      bad.write(frame.subarray(0, ++sent));
      await bad.waitClosed();
      clearInterval(timer);
      expect(bad.firstErrorCode()).toBe('EIPC_TIMEOUT');
      expect(sent).toBeLessThan(frame.length);
    });
  });

  it('500 concurrent idle connections: past maxConnections EIPC_BUSY, the rest EIPC_TIMEOUT when idle', async () => {
    await survives(async () => {
      const idle = await Promise.all(Array.from({ length: 500 }, () => peer()));
      await Promise.all(idle.map((connection) => connection.waitClosed()));
      const codes = idle.map((connection) => connection.firstErrorCode());
      const busy = codes.filter((code) => code === 'EIPC_BUSY').length;
      const timedOut = codes.filter((code) => code === 'EIPC_TIMEOUT').length;
      expect(busy + timedOut).toBe(500);
      // The default cap is 256 and the honest client holds one slot.
      expect(busy).toBeGreaterThanOrEqual(500 - 255);
      expect(timedOut).toBeGreaterThan(0);
      expect(timedOut).toBeLessThanOrEqual(255);
    });
  });

  it('after all of it, the server is alive, answers, and its memory stayed bounded', async () => {
    expect(await honest.call('echo', 'still here')).toBe('still here');
    const { rssBytes } = (await honest.call('memory')) as { rssBytes: number };
    console.log(`server RSS: baseline ${(baselineRssBytes / 2 ** 20).toFixed(1)} MiB, after attacks ${(rssBytes / 2 ** 20).toFixed(1)} MiB`);
    expect(rssBytes - baselineRssBytes).toBeLessThan(64 * 1024 * 1024);
    expect(honestAnswers).toBeGreaterThan(20);
    expect(honestErrors).toEqual([]);
  });
});
