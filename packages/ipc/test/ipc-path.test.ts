import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectIpc, createIpcServer, isIpcError, resolveIpcPath, sunPathBytes, WINDOWS_PIPE_PREFIX } from '../src/index.js';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('resolveIpcPath on POSIX', () => {
  it('makes the path absolute', () => {
    expect(resolveIpcPath('run/a.sock', 'linux')).toBe(path.resolve('run/a.sock'));
    expect(resolveIpcPath('/run/user/1000/svc/a.sock', 'linux')).toBe('/run/user/1000/svc/a.sock');
  });

  it('accepts 107 bytes on Linux and refuses 108, naming the limit', () => {
    const fits = `/${'a'.repeat(106)}`;
    expect(Buffer.byteLength(fits)).toBe(107);
    expect(resolveIpcPath(fits, 'linux')).toBe(fits);
    const error = thrown(() => resolveIpcPath(`${fits}b`, 'linux')) as { code: string; message: string; limitBytes: number };
    expect(isIpcError(error)).toBe(true);
    expect(error.code).toBe('EIPC_PATH_TOO_LONG');
    expect(error.limitBytes).toBe(108);
    expect(error.message).toContain('at most 107');
  });

  it('uses 104 bytes on macOS, and counts bytes not characters', () => {
    expect(sunPathBytes('darwin')).toBe(104);
    expect(resolveIpcPath(`/${'a'.repeat(102)}`, 'darwin')).toHaveLength(103);
    expect((thrown(() => resolveIpcPath(`/${'a'.repeat(103)}`, 'darwin')) as { code: string }).code).toBe('EIPC_PATH_TOO_LONG');
    // 40 × "é" is 40 characters but 80 bytes.
    const multibyte = `/${'é'.repeat(40)}/${'b'.repeat(30)}`;
    expect(multibyte.length).toBeLessThan(104);
    expect((thrown(() => resolveIpcPath(multibyte, 'darwin')) as { code: string }).code).toBe('EIPC_PATH_TOO_LONG');
  });

  it('refuses an empty path or one with a NUL byte', () => {
    expect((thrown(() => resolveIpcPath('', 'linux')) as { code: string }).code).toBe('EIPC_INVALID_OPTIONS');
    expect((thrown(() => resolveIpcPath('/tmp/a\0b', 'linux')) as { code: string }).code).toBe('EIPC_INVALID_OPTIONS');
  });
});

// Windows cannot run here: these check the pure mapping, with the platform passed in.
describe('resolveIpcPath on Windows (mapping only)', () => {
  it('maps an absolute path to a stable, case-insensitive pipe name without backslashes', () => {
    const pipe = resolveIpcPath('C:\\Users\\Me\\.svc\\run\\daemon.sock', 'win32');
    expect(pipe).toBe(`${WINDOWS_PIPE_PREFIX}c-users-me-.svc-run-daemon.sock`);
    expect(resolveIpcPath('c:/users/me/.svc/run/daemon.sock', 'win32')).toBe(pipe);
    expect(pipe.slice(WINDOWS_PIPE_PREFIX.length)).not.toContain('\\');
  });

  it('keeps a pipe name as given', () => {
    expect(resolveIpcPath('\\\\.\\pipe\\my-admin', 'win32')).toBe('\\\\.\\pipe\\my-admin');
    expect(resolveIpcPath('\\\\?\\pipe\\my-admin', 'win32')).toBe('\\\\?\\pipe\\my-admin');
  });

  it('refuses a relative path, which would differ between working directories', () => {
    expect((thrown(() => resolveIpcPath('run\\a.sock', 'win32')) as { code: string }).code).toBe('EIPC_INVALID_OPTIONS');
  });

  it('shortens a very long path to 256 characters with a hash that keeps distinct paths distinct', () => {
    const base = `C:\\${'deep\\'.repeat(80)}`;
    const a = resolveIpcPath(`${base}a.sock`, 'win32');
    const b = resolveIpcPath(`${base}b.sock`, 'win32');
    expect(a.length - WINDOWS_PIPE_PREFIX.length).toBe(256);
    expect(a).not.toBe(b);
    expect(a).toMatch(/-[0-9a-f]{16}$/);
    expect(a).toMatch(/deep-a\.sock-[0-9a-f]{16}$/);
  });

  it('does not apply the sun_path limit to pipes', () => {
    expect(resolveIpcPath(`C:\\${'x'.repeat(150)}`, 'win32').startsWith(WINDOWS_PIPE_PREFIX)).toBe(true);
  });
});

describe('too-long paths at the server and the client', () => {
  it('createIpcServer refuses before creating anything', async () => {
    const dir = await tempDir();
    const socketDir = path.join(dir, 'x'.repeat(60));
    const socketPath = path.join(socketDir, `${'y'.repeat(60)}.sock`);
    await expect(createIpcServer({ path: socketPath, methods: {} })).rejects.toMatchObject({ code: 'EIPC_PATH_TOO_LONG' });
    expect(existsSync(socketDir)).toBe(false);
  });

  it('connectIpc refuses with the same code', async () => {
    await expect(connectIpc(`/tmp/${'z'.repeat(120)}.sock`)).rejects.toMatchObject({ code: 'EIPC_PATH_TOO_LONG' });
  });
});
