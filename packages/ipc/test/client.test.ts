import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectIpc,
  createIpcServer,
  type IpcClient,
  type IpcError,
  type IpcServer,
  type IpcServerOptions,
  type IpcSubscriptionContext,
} from '../src/index.js';
import { cleanup, killGroup, startFixture, tempDir, until, FIXTURES } from './helpers.js';

const servers: IpcServer[] = [];
const clients: IpcClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await cleanup();
});

async function serve(methods: IpcServerOptions['methods'], options: Partial<IpcServerOptions> = {}): Promise<IpcServer> {
  const dir = await tempDir();
  const server = await createIpcServer({ path: path.join(dir, 'admin.sock'), methods, ...options });
  servers.push(server);
  return server;
}

async function connect(server: IpcServer, timeoutMs?: number): Promise<IpcClient> {
  const client = await connectIpc(server.path, timeoutMs === undefined ? {} : { timeoutMs });
  clients.push(client);
  return client;
}

describe('concurrency', () => {
  it('answers 100 clients × 100 concurrent calls each, every answer to its own caller', async () => {
    const server = await serve(
      {
        echo: {
          handle: async (params: { client: number; call: number }, ctx) => {
            // Interleave: answer later calls first sometimes, so order alone cannot match them.
            if ((params.call + params.client) % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
            return { ...params, connectionId: ctx.connectionId };
          },
        },
      },
      { maxConnections: 128 },
    );
    const all = await Promise.all(
      Array.from({ length: 100 }, async (_, client) => {
        const connection = await connect(server, 60_000);
        const answers = await Promise.all(
          Array.from({ length: 100 }, (_, call) => connection.call('echo', { client, call }) as Promise<Record<string, number>>),
        );
        return answers.map((answer, call) => ({ answer, client, call }));
      }),
    );
    const connectionOf = new Map<number, number>();
    let count = 0;
    for (const results of all) {
      for (const { answer, client, call } of results) {
        count++;
        expect(answer.client).toBe(client);
        expect(answer.call).toBe(call);
        // Every answer of a client came over that client's own connection.
        const seen = connectionOf.get(client) ?? answer.connectionId!;
        expect(answer.connectionId).toBe(seen);
        connectionOf.set(client, seen);
      }
    }
    expect(count).toBe(10_000);
    expect(new Set(connectionOf.values()).size).toBe(100);
  });
});

describe('subscriptions', () => {
  it('delivers events in order, including ones emitted inside subscribe(), and disposes on close()', async () => {
    let disposed = 0;
    let emitLater: ((n: number) => boolean) | null = null;
    const server = await serve({
      count: {
        validate(params: unknown): { from: number } {
          if (typeof (params as { from?: unknown })?.from !== 'number') throw new Error('need { from: number }');
          return params as { from: number };
        },
        subscribe: ({ from }, emit: (n: number) => boolean) => {
          for (let n = from; n < from + 500; n++) emit(n);
          emitLater = emit;
          return () => {
            disposed++;
          };
        },
      },
    });
    const client = await connect(server);
    const events: number[] = [];
    const sub = await client.subscribe('count', { from: 1 }, (n) => events.push(n as number));
    expect(sub.id).toMatch(/^\S+$/);
    for (let n = 501; n <= 1000; n++) emitLater!(n);
    await until(() => events.length === 1000, '1000 events');
    expect(events).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    await sub.close();
    expect(disposed).toBe(1);
    expect(emitLater!(1001)).toBe(false);
    await sub.close();
    expect(disposed).toBe(1);
    await expect(client.subscribe('count', { from: 'x' }, () => undefined)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
  });

  it('disposes a subscription when its client disconnects', async () => {
    let disposed = false;
    const server = await serve({ s: { subscribe: () => () => (disposed = true) } });
    const client = await connect(server);
    await client.subscribe('s', null, () => undefined);
    await client.close();
    await until(() => disposed, 'dispose on disconnect');
  });

  it('lets the server end a subscription, with or without an error, and tells onEnd', async () => {
    const contexts: IpcSubscriptionContext[] = [];
    let disposed = 0;
    const server = await serve({
      s: {
        subscribe: (_params: unknown, emit: (event: string) => boolean, ctx) => {
          emit('first');
          contexts.push(ctx);
          return () => void disposed++;
        },
      },
      early: {
        subscribe: (_params: unknown, emit: (event: string) => boolean, ctx) => {
          emit('only');
          ctx.end();
          return () => void disposed++;
        },
      },
    });
    const client = await connect(server);
    const events: unknown[] = [];
    const ends: Array<IpcError<string> | undefined> = [];
    await client.subscribe('s', null, (e) => events.push(e), { onEnd: (error) => ends.push(error) });
    await client.subscribe('s', null, (e) => events.push(e), { onEnd: (error) => ends.push(error) });
    contexts[0]!.end();
    contexts[1]!.end(Object.assign(new Error('service "api" was removed'), { code: 'ENOT_FOUND' }));
    await until(() => ends.length === 2, 'two ends');
    expect(ends[0]).toBeUndefined();
    expect(ends[1]).toMatchObject({ code: 'ENOT_FOUND', message: 'service "api" was removed' });
    expect(contexts[0]!.signal.aborted).toBe(true);
    expect(disposed).toBe(2);

    // Ended inside subscribe(): the acknowledgement, the event, then the end, in that order.
    const order: string[] = [];
    await client.subscribe('early', null, (e) => order.push(String(e)), { onEnd: () => order.push('end') });
    await until(() => order.length === 2, 'early end');
    expect(order).toEqual(['only', 'end']);
    expect(disposed).toBe(3);
    expect(events).toEqual(['first', 'first']);
  });

  it('answers a subscribe() that throws with its error, and keeps the connection', async () => {
    const server = await serve({
      s: {
        subscribe: () => {
          throw Object.assign(new Error('no such service'), { code: 'ENOT_FOUND' });
        },
      },
      echo: { handle: (params: unknown) => params },
    });
    const client = await connect(server);
    await expect(client.subscribe('s', null, () => undefined)).rejects.toMatchObject({ code: 'ENOT_FOUND' });
    expect(await client.call('echo', 1)).toBe(1);
  });

  it('ends a subscription whose onEvent throws, reporting the error to onEnd, and unsubscribes', async () => {
    let disposed = false;
    let emit: ((event: number) => boolean) | null = null;
    const server = await serve({
      s: {
        subscribe: (_params: unknown, e: (event: number) => boolean) => {
          emit = e;
          return () => (disposed = true);
        },
      },
    });
    const client = await connect(server);
    let ended: unknown;
    await client.subscribe(
      's',
      null,
      () => {
        throw new Error('listener bug');
      },
      { onEnd: (error) => (ended = error) },
    );
    emit!(1);
    await until(() => disposed, 'server-side dispose');
    expect(ended).toMatchObject({ code: 'EIPC_HANDLER', message: expect.stringContaining('listener bug') });
  });
});

describe('timeouts and failures', () => {
  it('rejects a slow call with EIPC_TIMEOUT, cancels it on the server, and the connection stays usable', async () => {
    let release: (() => void) | null = null;
    let aborted = false;
    const server = await serve({
      slow: {
        handle: (_params: unknown, ctx) =>
          new Promise((resolve) => {
            release = () => resolve('late');
            ctx.signal.addEventListener('abort', () => (aborted = true));
          }),
      },
      echo: { handle: (params: unknown) => params },
    });
    const client = await connect(server);
    const error = await client.call('slow', null, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'IpcTimeoutError', code: 'EIPC_TIMEOUT', timeoutMs: 200, method: 'slow' });
    await until(() => aborted, 'server-side abort');
    release!();
    expect(await client.call('echo', 'after')).toBe('after');
  });

  it('says EIPC_NOT_RUNNING when nothing is at the path, or a dead socket is', async () => {
    const dir = await tempDir();
    const missing = path.join(dir, 'missing.sock');
    await expect(connectIpc(missing)).rejects.toMatchObject({ code: 'EIPC_NOT_RUNNING', path: missing });

    const stalePath = path.join(dir, 'stale.sock');
    const listener = await startFixture(process.execPath, [path.join(FIXTURES, 'raw-listener.mjs'), stalePath]);
    killGroup(listener.child);
    await new Promise((resolve) => listener.child.once('exit', resolve));
    await expect(connectIpc(stalePath)).rejects.toMatchObject({
      code: 'EIPC_NOT_RUNNING',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('rejects calls after close() with EIPC_CLOSED, and calls in flight too', async () => {
    const server = await serve({ wait: { handle: () => new Promise(() => undefined) } });
    const client = await connect(server);
    const pending = client.call('wait', null, { timeoutMs: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
    await client.close();
    expect(await pending).toMatchObject({ code: 'EIPC_CLOSED' });
    await expect(client.call('wait')).rejects.toMatchObject({ code: 'EIPC_CLOSED' });
    expect(await client.closed).toMatchObject({ code: 'EIPC_CLOSED' });
  });

  it('refuses bad client options and call options', async () => {
    const server = await serve({ echo: { handle: (params: unknown) => params } });
    await expect(connectIpc(server.path, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'EIPC_INVALID_OPTIONS', option: 'timeoutMs' });
    await expect(connectIpc(server.path, { maxFrameBytes: -1 })).rejects.toMatchObject({ code: 'EIPC_INVALID_OPTIONS' });
    const client = await connect(server);
    await expect(client.call('echo', 1, { timeoutMs: -5 })).rejects.toMatchObject({ code: 'EIPC_INVALID_OPTIONS' });
    await expect(client.subscribe('echo', 1, 'nope' as never)).rejects.toMatchObject({ code: 'EIPC_INVALID_OPTIONS' });
  });
});

describe('pause and resume', () => {
  it('a paused client reads nothing: the server sees its output congested, and once resumed the reader gets the rest in order', async () => {
    const chunk = 'z'.repeat(16 * 1024);
    let congestedSeen = false;
    let sent = 0;
    let ctxOf: IpcSubscriptionContext | null = null;
    const server = await serve(
      {
        live: {
          subscribe: (_params: unknown, emit: (event: { n: number; chunk: string }) => boolean, ctx: IpcSubscriptionContext) => {
            ctxOf = ctx;
            // A live source: an event every millisecond, left out (not sent) while the output is congested.
            const timer = setInterval(() => {
              if (ctx.congested()) congestedSeen = true;
              else if (sent < 400) emit({ n: sent++, chunk });
              else ctx.end();
            }, 1);
            return () => clearInterval(timer);
          },
        },
      },
      { maxWriteBufferBytes: 512 * 1024 },
    );
    const client = await connect(server);
    const seen: number[] = [];
    let ended: unknown = 'not yet';
    await client.subscribe('live', null, (event) => seen.push((event as { n: number }).n), { onEnd: (error) => (ended = error) });
    await until(() => seen.length > 0, 'the first events');
    client.pause();
    await until(() => congestedSeen, 'the server to see the paused reader as congested');
    const whilePaused = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Nothing read while paused, beyond what one read had already taken in.
    expect(seen.length - whilePaused).toBeLessThanOrEqual(4);
    expect(ctxOf!.congested()).toBe(true);
    client.resume();
    await until(() => ended !== 'not yet', 'the end of the stream');
    expect(ended).toBeUndefined();
    expect(seen).toEqual(Array.from({ length: 400 }, (_, n) => n));
  });
});
