import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectIpc,
  createIpcServer,
  defineMethods,
  type IpcClient,
  type IpcServer,
  type IpcServerOptions,
  type IpcSubscriptionContext,
  isIpcError,
  isIpcRemoteError,
} from '../src/index.js';
import { cleanup, RawPeer, tempDir, until } from './helpers.js';

const servers: IpcServer[] = [];
const clients: IpcClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await cleanup();
});

async function serve(methods: IpcServerOptions['methods'], options: Partial<IpcServerOptions> = {}): Promise<IpcServer> {
  const dir = await tempDir();
  const server = await createIpcServer({ path: path.join(dir, 'run', 'admin.sock'), methods, ...options });
  servers.push(server);
  return server;
}

async function connect(server: IpcServer): Promise<IpcClient> {
  const client = await connectIpc(server.path);
  clients.push(client);
  return client;
}

class LockedError extends Error {
  readonly code = 'ELOCKED';
  readonly data = { pid: 4242, since: '2024-01-01T00:00:00.000Z' };
}

const methods = defineMethods({
  echo: { handle: (params: unknown) => params ?? null },
  add: {
    validate(params: unknown): { a: number; b: number } {
      const p = params as { a?: unknown; b?: unknown } | null;
      if (typeof p?.a !== 'number' || typeof p.b !== 'number') throw new Error('expected { a: number, b: number }');
      return { a: p.a, b: p.b };
    },
    handle: ({ a, b }) => a + b,
  },
  locked: {
    handle: () => {
      throw new LockedError('service "api" is locked by pid 4242');
    },
  },
  startFailed: {
    handle: () => {
      const error = Object.assign(new Error('service api did not start'), { code: 'ESTART_FAILED', service: 'api', stderrTail: ['boot', 'boom'] });
      throw error;
    },
  },
  boom: {
    handle: async () => {
      await Promise.resolve();
      throw new Error('disk on fire at /srv/secret/path');
    },
  },
  throwsString: {
    handle: () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
      throw 'just a string';
    },
  },
  bigint: { handle: () => ({ n: 10n }) },
  huge: { handle: () => 'x'.repeat(2 * 1024 * 1024) },
});

describe('calls', () => {
  it('round-trips params and results of every JSON type', async () => {
    const client = await connect(await serve(methods));
    const value = { s: 'é\n"\u2028', n: -1.5, b: true, z: null, a: [1, [2, [3]]], o: { k: 'v' } };
    expect(await client.call('echo', value)).toEqual(value);
    expect(await client.call('echo')).toBeNull();
    expect(await client.call('add', { a: 2, b: 3 })).toBe(5);
  });

  it('rethrows a handler error with its own code, message and data — never the stack', async () => {
    const server = await serve(methods);
    const client = await connect(server);
    const error = await client.call('locked').catch((e: unknown) => e);
    expect(isIpcError(error)).toBe(true);
    expect(isIpcRemoteError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'IpcRemoteError',
      code: 'ELOCKED',
      message: 'service "api" is locked by pid 4242',
      data: { pid: 4242, since: '2024-01-01T00:00:00.000Z' },
      method: 'locked',
      rpcCode: -32000,
    });

    // What crosses the wire: code, message, data; no stack, no server file names.
    const peer = new RawPeer(server.path);
    await peer.ready();
    peer.write('{"jsonrpc":"2.0","id":1,"method":"boom"}\n');
    const reply = await peer.waitForLine((m) => m.id === 1);
    expect(reply).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'disk on fire at /srv/secret/path', data: { code: 'EIPC_HANDLER' } },
    });
    expect(peer.lines.join('\n')).not.toMatch(/\bat .*\.(ts|js):\d+/);
    peer.socket.destroy();
  });

  it('sends an error\'s own enumerable fields as its data when it has no data field', async () => {
    const client = await connect(await serve(methods));
    const error = await client.call('startFailed').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESTART_FAILED', data: { service: 'api', stderrTail: ['boot', 'boom'] } });
    expect(Object.keys((error as { data: object }).data).sort()).toEqual(['service', 'stderrTail']);
  });

  it('reports a thrown non-error as EIPC_HANDLER', async () => {
    const client = await connect(await serve(methods));
    await expect(client.call('throwsString')).rejects.toMatchObject({ code: 'EIPC_HANDLER', message: 'handler threw "just a string"' });
  });

  it('answers an unknown method with EIPC_UNKNOWN_METHOD, prototype names included, and stays usable', async () => {
    const client = await connect(await serve(methods));
    for (const name of ['nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'ipc.event']) {
      await expect(client.call(name)).rejects.toMatchObject({ code: 'EIPC_UNKNOWN_METHOD', rpcCode: -32601 });
    }
    expect(await client.call('echo', 1)).toBe(1);
  });

  it('answers params that fail validate() with EIPC_BAD_PARAMS and the validator message', async () => {
    const client = await connect(await serve(methods));
    await expect(client.call('add', { a: 1, b: 'two' })).rejects.toMatchObject({
      code: 'EIPC_BAD_PARAMS',
      rpcCode: -32602,
      message: expect.stringContaining('expected { a: number, b: number }'),
    });
    expect(await client.call('add', { a: 1, b: 2 })).toBe(3);
  });

  it('turns a result that is not JSON or too large into an error response, not a crash', async () => {
    const client = await connect(await serve(methods));
    await expect(client.call('bigint')).rejects.toMatchObject({ code: 'EIPC_HANDLER', message: expect.stringContaining('JSON') });
    await expect(client.call('huge')).rejects.toMatchObject({ code: 'EIPC_FRAME_TOO_LARGE' });
    expect(await client.call('echo', 'still here')).toBe('still here');
  });

  it('refuses on the client side params that are not JSON or too large, without sending them', async () => {
    const client = await connect(await serve(methods));
    await expect(client.call('echo', { n: 1n })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
    await expect(client.call('echo', 'x'.repeat(1024 * 1024))).rejects.toMatchObject({ code: 'EIPC_FRAME_TOO_LARGE' });
    expect(await client.call('echo', 'fine')).toBe('fine');
  });

  it('passes ctx with the method and a connection id', async () => {
    const seen: Array<{ method: string; connectionId: number; aborted: boolean }> = [];
    const server = await serve({
      whoami: {
        handle: (_params: unknown, ctx) => {
          seen.push({ method: ctx.method, connectionId: ctx.connectionId, aborted: ctx.signal.aborted });
          return ctx.connectionId;
        },
      },
    });
    const a = await connect(server);
    const b = await connect(server);
    const idA = await a.call('whoami');
    const idB = await b.call('whoami');
    expect(idA).not.toBe(idB);
    expect(await a.call('whoami')).toBe(idA);
    expect(seen[0]).toEqual({ method: 'whoami', connectionId: idA, aborted: false });
  });

  it('reports handler failures to onError with the stack, server side only', async () => {
    const reported: unknown[] = [];
    const client = await connect(await serve(methods, { onError: (error) => reported.push(error) }));
    await expect(client.call('boom')).rejects.toMatchObject({ code: 'EIPC_HANDLER' });
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).stack).toContain('disk on fire');
  });
});

describe('the raw protocol', () => {
  it('runs a notification (no id) without answering it', async () => {
    const calls: unknown[] = [];
    const server = await serve({ note: { handle: (params: unknown) => void calls.push(params) } });
    const peer = new RawPeer(server.path);
    await peer.ready();
    peer.write('{"jsonrpc":"2.0","method":"note","params":{"n":1}}\n{"jsonrpc":"2.0","id":"x","method":"note","params":2}\n');
    expect(await peer.waitForLine((m) => m.id === 'x')).toEqual({ jsonrpc: '2.0', id: 'x', result: null });
    expect(calls).toEqual([{ n: 1 }, 2]);
    expect(peer.lines).toHaveLength(1);
    peer.socket.destroy();
  });

  it('answers a client that sends its request and half-closes (printf … | nc -U)', async () => {
    const server = await serve(methods);
    const peer = new RawPeer(server.path);
    await peer.ready();
    peer.socket.end('{"jsonrpc":"2.0","id":7,"method":"add","params":{"a":40,"b":2}}\n');
    await peer.waitClosed();
    expect(peer.lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ jsonrpc: '2.0', id: 7, result: 42 }]);
  });

  it('closes the connection on a request that is not JSON-RPC 2.0, answering with its id when known', async () => {
    const server = await serve(methods);
    const cases: Array<[string, unknown]> = [
      ['{"id":3,"method":"echo"}', 3],
      ['{"jsonrpc":"1.0","id":"q","method":"echo"}', 'q'],
      ['{"jsonrpc":"2.0","id":4,"method":17}', 4],
      ['{"jsonrpc":"2.0","id":{"x":1},"method":"echo"}', null],
      ['[{"jsonrpc":"2.0","id":5,"method":"echo"}]', null],
      ['"just a string"', null],
    ];
    for (const [frame, id] of cases) {
      const peer = new RawPeer(server.path);
      await peer.ready();
      peer.write(`${frame}\n`);
      await peer.waitClosed();
      expect(peer.lines).toHaveLength(1);
      expect(JSON.parse(peer.lines[0]!)).toMatchObject({ id, error: { code: -32700, data: { code: 'EIPC_BAD_FRAME' } } });
    }
  });

  it('closes the connection when a client reuses an id still in flight', async () => {
    const server = await serve({ wait: { handle: (_p: unknown, ctx) => new Promise((r) => ctx.signal.addEventListener('abort', r)) } });
    const peer = new RawPeer(server.path);
    await peer.ready();
    peer.write('{"jsonrpc":"2.0","id":1,"method":"wait"}\n{"jsonrpc":"2.0","id":1,"method":"wait"}\n');
    await peer.waitClosed();
    expect(peer.firstErrorCode()).toBe('EIPC_BAD_FRAME');
  });
});

describe('pipelining', () => {
  it('serves 100 000 pipelined requests that finish synchronously, without overflowing the stack', async () => {
    const server = await serve(methods);
    const peer = new RawPeer(server.path);
    await peer.ready();
    // Short frames so that one 64 KiB read holds as many as possible; notifications (no id) whose
    // validate() fails, then a few with ids to see answers.
    const count = 100_000;
    const notification = '{"jsonrpc":"2.0","method":"add"}\n';
    peer.write(notification.repeat(count));
    peer.write('{"jsonrpc":"2.0","id":1,"method":"add"}\n{"jsonrpc":"2.0","id":2,"method":"locked"}\n');
    await peer.waitForLine((m) => m.id === 2);
    expect(peer.lines.map((line) => (JSON.parse(line) as { error: { data: { code: string } } }).error.data.code)).toEqual([
      'EIPC_BAD_PARAMS',
      'ELOCKED',
    ]);
    peer.socket.destroy();
    const client = await connect(server);
    expect(await client.call('echo', 'alive')).toBe('alive');
  });
});

describe('limits', () => {
  it('tells the connection past maxConnections EIPC_BUSY and closes it; the others keep working', async () => {
    const server = await serve(methods, { maxConnections: 2 });
    const a = await connect(server);
    const b = await connect(server);
    expect(await a.call('echo', 'a')).toBe('a');
    expect(await b.call('echo', 'b')).toBe('b');
    const c = await connect(server);
    const reason = await c.closed;
    expect(reason).toMatchObject({ code: 'EIPC_BUSY', rpcCode: -32002 });
    await expect(c.call('echo', 'c')).rejects.toMatchObject({ code: 'EIPC_BUSY' });
    expect(await a.call('echo', 'a2')).toBe('a2');
    await b.close();
    // A freed slot is reusable (the server counts the close asynchronously, so retry on BUSY).
    for (;;) {
      const d = await connect(server);
      const answer = await d.call('echo', 'd').catch((error: unknown) => error);
      if (answer === 'd') break;
      expect(answer).toMatchObject({ code: 'EIPC_BUSY' });
    }
  });

  it('stops reading a connection at maxInFlightPerConnection and still answers every call', async () => {
    let running = 0;
    let peak = 0;
    const server = await serve(
      {
        slow: {
          handle: async (n: number) => {
            peak = Math.max(peak, ++running);
            await new Promise((resolve) => setImmediate(resolve));
            running--;
            return n;
          },
        },
      },
      { maxInFlightPerConnection: 4 },
    );
    const client = await connect(server);
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => client.call('slow', n)));
    expect(results).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('cuts off a subscriber whose unread output passes maxWriteBufferBytes, and disposes its subscription', async () => {
    let disposed = 0;
    let emitted = 0;
    const server = await serve(
      {
        echo: { handle: (params: unknown) => params },
        flood: {
          subscribe: (_params: unknown, emit: (event: string) => boolean) => {
            const chunk = 'x'.repeat(16 * 1024);
            const timer = setInterval(() => {
              for (let i = 0; i < 64; i++) if (emit(chunk)) emitted++;
            }, 1);
            return () => {
              clearInterval(timer);
              disposed++;
            };
          },
        },
      },
      { maxWriteBufferBytes: 256 * 1024 },
    );
    const peer = new RawPeer(server.path);
    await peer.ready();
    peer.socket.pause();
    peer.write('{"jsonrpc":"2.0","id":1,"method":"flood"}\n');
    await until(() => disposed > 0);
    expect(disposed).toBe(1);
    expect(emitted).toBeGreaterThan(16);
    peer.socket.resume();
    await peer.waitClosed();
    const other = await connect(server);
    expect(await other.call('echo', 'ok')).toBe('ok');
  });
});

describe('relisten', () => {
  it('after its socket file was removed: listens there again, keeps the connections it serves, and close() removes the new file', async () => {
    const server = await serve({ echo: { handle: (params: unknown) => params } });
    const before = await connect(server);
    rmSync(server.path);
    await expect(connectIpc(server.path, { timeoutMs: 1_000 })).rejects.toMatchObject({ code: expect.stringMatching(/^EIPC_/) });
    await server.relisten();
    expect(statSync(server.path).mode & 0o777).toBe(0o600);
    const after = await connect(server);
    expect(await after.call('echo', 'new')).toBe('new');
    // The connection made before the file went away was kept.
    expect(await before.call('echo', 'old')).toBe('old');
    await server.close();
    expect(existsSync(server.path)).toBe(false);
  });
});

describe('a stream larger than the write buffer', () => {
  it('awaiting ctx.writable() between events, 16 MiB reach a slow reader through a 256 KiB buffer, in order, and the stream ends', async () => {
    const chunk = 'y'.repeat(8 * 1024);
    const count = 2048; // 16 MiB of events
    const server = await serve(
      {
        big: {
          subscribe: (_params: unknown, emit: (event: { n: number; chunk: string }) => boolean, ctx: IpcSubscriptionContext) => {
            void (async () => {
              for (let n = 0; n < count; n++) {
                if (!emit({ n, chunk })) return;
                await ctx.writable();
              }
              ctx.end();
            })();
            return () => undefined;
          },
        },
      },
      { maxWriteBufferBytes: 256 * 1024 },
    );
    const client = await connect(server);
    const seen: number[] = [];
    let ended: unknown = 'not yet';
    await client.subscribe('big', null, (event) => {
      const { n, chunk: got } = event as { n: number; chunk: string };
      if (got.length === chunk.length) seen.push(n);
    }, { onEnd: (error) => (ended = error) });
    // Emitted without a pause, 16 MiB would pass the 256 KiB limit in one tick and the connection
    // would be cut off (the test above); awaiting writable() lets the reader keep up.
    await until(() => ended !== 'not yet', 'the end of the stream');
    expect(ended).toBeUndefined();
    expect(seen).toHaveLength(count);
    expect(seen.every((n, i) => n === i)).toBe(true);
  });
});

describe('options', () => {
  it('refuses bad options before touching the file system', async () => {
    const dir = await tempDir();
    const at = path.join(dir, 'never', 'a.sock');
    const bad: Array<[Partial<IpcServerOptions>, string]> = [
      [{ maxFrameBytes: 0 }, 'maxFrameBytes'],
      [{ maxFrameBytes: 1.5 }, 'maxFrameBytes'],
      [{ idleTimeoutMs: -1 }, 'idleTimeoutMs'],
      [{ frameTimeoutMs: 2 ** 31 }, 'frameTimeoutMs'],
      [{ maxConnections: Number.NaN }, 'maxConnections'],
      [{ methods: { 'ipc.x': { handle: () => 1 } } }, 'methods.ipc.x'],
      [{ methods: { both: { handle: () => 1, subscribe: () => () => undefined } } as never }, 'methods.both'],
      [{ methods: { neither: {} } as never }, 'methods.neither'],
      [{ methods: { v: { handle: () => 1, validate: 'yes' } } as never }, 'methods.v.validate'],
      [{ methods: null as never }, 'methods'],
      [{ onError: 'log' as never }, 'onError'],
    ];
    for (const [options, option] of bad) {
      await expect(createIpcServer({ path: at, methods: {}, ...options })).rejects.toMatchObject({
        code: 'EIPC_INVALID_OPTIONS',
        option,
      });
    }
    expect(existsSync(path.dirname(at))).toBe(false);
  });

  it('accepts idleTimeoutMs 0 as "never"', async () => {
    const client = await connect(await serve(methods, { idleTimeoutMs: 0 }));
    expect(await client.call('echo', 0)).toBe(0);
  });
});

describe('close()', () => {
  it('aborts calls in flight, ends subscriptions, removes the socket and is idempotent', async () => {
    let started = false;
    let aborted = false;
    let disposed = false;
    const server = await serve({
      wait: {
        handle: (_params: unknown, ctx) =>
          new Promise((resolve) => {
            started = true;
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              resolve(null);
            });
          }),
      },
      stream: {
        subscribe: () => () => {
          disposed = true;
        },
      },
    });
    const client = await connect(server);
    let ended: unknown = 'not yet';
    await client.subscribe('stream', null, () => undefined, { onEnd: (error) => (ended = error) });
    const call = client.call('wait').catch((error: unknown) => error);
    await until(() => started);
    await Promise.all([server.close(), server.close()]);
    expect(await call).toMatchObject({ code: 'EIPC_CLOSED' });
    expect(ended).toMatchObject({ code: 'EIPC_CLOSED' });
    expect(aborted).toBe(true);
    expect(disposed).toBe(true);
    expect(server.connectionCount).toBe(0);
    expect(existsSync(server.path)).toBe(false);
    await expect(connectIpc(server.path)).rejects.toMatchObject({ code: 'EIPC_NOT_RUNNING' });
  });
});
