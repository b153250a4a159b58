import path from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { callMethod, connectIpc, createIpcServer, defineMethods, type IpcContext, subscribeMethod } from '../src/index.js';
import { cleanup, tempDir } from './helpers.js';

/*
 * The method table is typed end to end: `pnpm typecheck` compiles this file, so a wrong method
 * name, params type or result type below is a compile error (the @ts-expect-error lines fail the
 * typecheck if the error they expect disappears). The runtime part checks the same table works.
 */

const methods = defineMethods({
  status: callMethod({
    validate(params: unknown): { name: string } {
      if (typeof (params as { name?: unknown })?.name !== 'string') throw new Error('expected { name: string }');
      return params as { name: string };
    },
    handle: ({ name }, ctx: IpcContext) => ({ name, state: 'running' as const, connectionId: ctx.connectionId }),
  }),
  ping: { handle: () => Promise.resolve('pong' as const) },
  logs: subscribeMethod({
    validate: (params: unknown) => params as { lines: number },
    subscribe: ({ lines }, emit: (line: { text: string }) => boolean) => {
      for (let i = 0; i < lines; i++) emit({ text: `line ${i}` });
      return () => undefined;
    },
  }),
});

afterEach(cleanup);

describe('a typed method table', () => {
  it('types params, results and events on the client from the server table', async () => {
    const dir = await tempDir();
    const server = await createIpcServer({ path: path.join(dir, 'a.sock'), methods });
    const client = await connectIpc<typeof methods>(server.path);
    try {
      const status = await client.call('status', { name: 'api' });
      expectTypeOf(status).toEqualTypeOf<{ name: string; state: 'running'; connectionId: number }>();
      expect(status).toMatchObject({ name: 'api', state: 'running' });

      const pong = await client.call('ping');
      expectTypeOf(pong).toEqualTypeOf<'pong'>();
      expect(pong).toBe('pong');

      const lines: string[] = [];
      const sub = await client.subscribe('logs', { lines: 2 }, (event) => {
        expectTypeOf(event).toEqualTypeOf<{ text: string }>();
        lines.push(event.text);
      });
      await sub.close();
      expect(lines).toEqual(['line 0', 'line 1']);

      // @ts-expect-error -- not a method of the table
      await expect(client.call('nope')).rejects.toMatchObject({ code: 'EIPC_UNKNOWN_METHOD' });
      // @ts-expect-error -- params of the wrong type
      await expect(client.call('status', { name: 42 })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
      // @ts-expect-error -- a subscription is not a call
      await client.call('logs', { lines: 0 }).catch(() => undefined);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('leaves an untyped client open to any method, with unknown results', async () => {
    const dir = await tempDir();
    const server = await createIpcServer({ path: path.join(dir, 'a.sock'), methods });
    const client = await connectIpc(server.path);
    try {
      const result = await client.call('ping');
      expectTypeOf(result).toEqualTypeOf<unknown>();
      expect(result).toBe('pong');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
