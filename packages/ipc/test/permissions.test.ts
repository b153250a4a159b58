import { statSync, watch } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectIpc, createIpcServer, type IpcServer } from '../src/index.js';
import {
  cleanup,
  exited,
  FIXTURES,
  killGroup,
  sharedPython,
  startFixture,
  startServerFixture,
  tempDir,
  until,
} from './helpers.js';

const NOBODY = 65534;
const methods = { echo: { handle: (params: unknown) => params } };
const servers: IpcServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await cleanup();
});

async function mode(file: string): Promise<number> {
  return (await lstat(file)).mode & 0o777;
}

/**
 * Runs fixtures/foreign-socket.py as uid/gid "nobody": real files of another owner. The script
 * goes in with -c, so it runs wherever the checkout lives (nobody may not read a private one).
 */
async function asNobody(kind: 'socket' | 'dir', target: string): Promise<void> {
  const script = await readFile(path.join(FIXTURES, 'foreign-socket.py'), 'utf8');
  const fixture = await startFixture(sharedPython(), ['-c', script, kind, target], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
  });
  expect(fixture.firstLine).toBe('DONE');
  await exited(fixture.child);
  expect((await lstat(target)).uid).toBe(NOBODY);
}

describe('modes', () => {
  it('under umask 000: every directory it creates is 0700 and the socket 0600 from the first moment', async () => {
    const base = await tempDir();
    // A directory we own and made 0700, watched, so we stat the socket the instant it appears.
    const watched = path.join(base, 'watched');
    await mkdir(watched, { mode: 0o700 });
    const seenModes: number[] = [];
    const watcher = watch(watched, (_event, name) => {
      if (name !== 'admin.sock') return;
      try {
        seenModes.push(statSync(path.join(watched, name)).mode & 0o777);
      } catch (error) {
        // Gone again (the server closed): nothing to see in that instant.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    });
    try {
      const first = await startServerFixture({ path: path.join(watched, 'admin.sock'), umask: 0, busyThreadPool: true });
      expect(first.info.path).toBe(path.join(watched, 'admin.sock'));
      expect(await mode(first.info.path)).toBe(0o600);
      // The watch event may be handled after the fixture's READY line: wait for it.
      await until(() => seenModes.length > 0, 'the watcher to see the socket');
    } finally {
      watcher.close();
    }
    expect(seenModes.length).toBeGreaterThan(0);
    expect(seenModes.every((m) => m === 0o600)).toBe(true);

    const nested = path.join(base, 'a', 'b', 'run', 'admin.sock');
    const second = await startServerFixture({ path: nested, umask: 0 });
    expect(second.info.path).toBe(nested);
    for (const dir of ['a', 'a/b', 'a/b/run']) expect(await mode(path.join(base, dir))).toBe(0o700);
    expect(await mode(nested)).toBe(0o600);
  });

  it('refuses an existing directory that others can enter, and leaves its mode alone', async () => {
    const dir = path.join(await tempDir(), 'open');
    await mkdir(dir);
    await chmod(dir, 0o755);
    await expect(createIpcServer({ path: path.join(dir, 'a.sock'), methods })).rejects.toMatchObject({
      code: 'EIPC_INSECURE_PATH',
      path: dir,
      message: expect.stringContaining('chmod 700'),
    });
    expect(await mode(dir)).toBe(0o755);
  });
});

describe('what is already at the path', () => {
  it('a symlink to a file: refused, link and target untouched', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'precious.txt');
    await writeFile(target, 'keep me');
    const link = path.join(dir, 'admin.sock');
    await symlink(target, link);
    await expect(createIpcServer({ path: link, methods })).rejects.toMatchObject({
      code: 'EIPC_INSECURE_PATH',
      message: expect.stringContaining('symbolic link'),
    });
    expect(await readlink(link)).toBe(target);
    expect(await readFile(target, 'utf8')).toBe('keep me');
  });

  it('a dangling symlink: refused, not followed (nothing created at its target)', async () => {
    const dir = await tempDir();
    const link = path.join(dir, 'admin.sock');
    await symlink(path.join(dir, 'elsewhere.sock'), link);
    await expect(createIpcServer({ path: link, methods })).rejects.toMatchObject({ code: 'EIPC_INSECURE_PATH' });
    await expect(lstat(path.join(dir, 'elsewhere.sock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a socket directory that is a symlink: refused', async () => {
    const base = await tempDir();
    await mkdir(path.join(base, 'real'), { mode: 0o700 });
    await symlink(path.join(base, 'real'), path.join(base, 'linked'));
    await expect(createIpcServer({ path: path.join(base, 'linked', 'a.sock'), methods })).rejects.toMatchObject({
      code: 'EIPC_INSECURE_PATH',
      path: path.join(base, 'linked'),
    });
  });

  it('a regular file: refused and kept', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'admin.sock');
    await writeFile(file, 'not a socket');
    await expect(createIpcServer({ path: file, methods })).rejects.toMatchObject({
      code: 'EIPC_INSECURE_PATH',
      message: expect.stringContaining('not a socket'),
    });
    expect(await readFile(file, 'utf8')).toBe('not a socket');
  });

  it('a stale socket of ours (its server was killed): replaced', async () => {
    const dir = await tempDir();
    const socketPath = path.join(dir, 'admin.sock');
    const stale = await startFixture(process.execPath, [path.join(FIXTURES, 'raw-listener.mjs'), socketPath]);
    expect(await mode(socketPath)).toBe(0o755);
    killGroup(stale.child);
    await exited(stale.child);
    const server = await createIpcServer({ path: socketPath, methods });
    servers.push(server);
    expect(await mode(socketPath)).toBe(0o600);
    const client = await connectIpc(socketPath);
    expect(await client.call('echo', 'fresh')).toBe('fresh');
    await client.close();
  });

  it('a live server: EIPC_IN_USE, and the live server keeps its socket and its clients', async () => {
    const dir = await tempDir();
    const socketPath = path.join(dir, 'admin.sock');
    const live = await startServerFixture({ path: socketPath });
    const client = await connectIpc(socketPath);
    await expect(createIpcServer({ path: socketPath, methods })).rejects.toMatchObject({ code: 'EIPC_IN_USE', path: socketPath });
    expect(await client.call('echo', 'still mine')).toBe('still mine');
    const second = await connectIpc(socketPath);
    expect(await second.call('echo', 'new clients too')).toBe('new clients too');
    await Promise.all([client.close(), second.close()]);
    expect(live.child.exitCode).toBeNull();
  });

  it("another user's socket: refused and kept, even though it is stale", async () => {
    const base = await tempDir();
    await chmod(base, 0o755);
    const dir = path.join(base, 'mine');
    await mkdir(dir);
    // Open the directory just long enough for the other user to leave a socket in it.
    await chmod(dir, 0o777);
    const socketPath = path.join(dir, 'admin.sock');
    await asNobody('socket', socketPath);
    await chmod(dir, 0o700);
    await expect(createIpcServer({ path: socketPath, methods })).rejects.toMatchObject({
      code: 'EIPC_INSECURE_PATH',
      message: expect.stringContaining(`uid ${NOBODY}`),
    });
    const after = await lstat(socketPath);
    expect(after.isSocket()).toBe(true);
    expect(after.uid).toBe(NOBODY);
  });

  it("a socket directory owned by another user: refused", async () => {
    const base = await tempDir();
    await chmod(base, 0o755);
    const shared = path.join(base, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    const theirs = path.join(shared, 'theirs');
    await asNobody('dir', theirs);
    await expect(createIpcServer({ path: path.join(theirs, 'admin.sock'), methods })).rejects.toMatchObject({
      code: 'EIPC_INSECURE_PATH',
      path: theirs,
      message: expect.stringContaining(`owned by uid ${NOBODY}`),
    });
    await expect(lstat(path.join(theirs, 'admin.sock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
