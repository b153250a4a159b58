import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectIpc, createIpcServer, type IpcError, type IpcServer } from '../src/index.js';
import { cleanup, exited, killGroup, startServerFixture, tempDir, until } from './helpers.js';

let replacement: IpcServer | null = null;

afterEach(async () => {
  await replacement?.close();
  replacement = null;
  await cleanup();
});

describe('a server process that dies mid-call', () => {
  it('fails the call and the subscription with EIPC_CLOSED; its stale socket is then replaced', async () => {
    const dir = await tempDir();
    const socketPath = path.join(dir, 'run', 'admin.sock');
    const server = await startServerFixture({ path: socketPath });
    const client = await connectIpc(server.info.path);

    const ticks: number[] = [];
    let ended: IpcError<string> | undefined;
    await client.subscribe('ticks', null, (n) => ticks.push(n as number), { onEnd: (error) => (ended = error) });
    await until(() => ticks.length >= 2, 'ticks');
    expect(ticks.slice(0, 2)).toEqual([1, 2]);

    const call = client.call('hang', null, { timeoutMs: 60_000 }).catch((error: unknown) => error);
    killGroup(server.child, 'SIGKILL');
    await exited(server.child);

    expect(await call).toMatchObject({ code: 'EIPC_CLOSED' });
    expect(await client.closed).toMatchObject({ code: 'EIPC_CLOSED' });
    expect(ended).toMatchObject({ code: 'EIPC_CLOSED' });
    await expect(client.call('echo', 1)).rejects.toMatchObject({ code: 'EIPC_CLOSED' });

    // SIGKILL left the socket file: nobody answers on it.
    expect(existsSync(socketPath)).toBe(true);
    await expect(connectIpc(socketPath)).rejects.toMatchObject({ code: 'EIPC_NOT_RUNNING' });

    replacement = await createIpcServer({ path: socketPath, methods: { echo: { handle: (p: unknown) => p } } });
    const again = await connectIpc(socketPath);
    expect(await again.call('echo', 'back')).toBe('back');
    await again.close();
  });

  it('a graceful stop (SIGTERM → close) removes the socket', async () => {
    const dir = await tempDir();
    const socketPath = path.join(dir, 'admin.sock');
    const server = await startServerFixture({ path: socketPath });
    const client = await connectIpc(socketPath);
    expect(await client.call('echo', 'hi')).toBe('hi');
    killGroup(server.child, 'SIGTERM');
    await exited(server.child);
    expect(server.child.exitCode).toBe(0);
    expect(await client.closed).toMatchObject({ code: 'EIPC_CLOSED' });
    expect(existsSync(socketPath)).toBe(false);
  });
});
