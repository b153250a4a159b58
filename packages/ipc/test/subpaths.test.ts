import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * The built `@svc/ipc/client` entry (the test command builds first): a real server from the main
 * entry answers a real client from the subpath, in another process, from import and require; the
 * subpath carries no server and does not load node:crypto; its errors are IpcErrors to the main entry.
 */
const pkg = path.resolve(import.meta.dirname, '..');
const dist = path.join(pkg, 'dist');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function node(kind: 'esm' | 'cjs', code: string): string {
  const args = kind === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  return execFileSync(process.execPath, args, { cwd: pkg, encoding: 'utf8', timeout: 30_000 }).trim();
}

describe('@svc/ipc/client', () => {
  it('a client from the subpath calls a server from the main entry (import and require)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'svc-ipc-sub-'));
    dirs.push(dir);
    const socket = JSON.stringify(path.join(dir, 'a.sock'));
    // The server runs in the same process as the client here; each entry is its own bundle.
    const esm = `import { createIpcServer, defineMethods, callMethod } from '@svc/ipc';
const { connectIpc } = await import('@svc/ipc/client');
const server = await createIpcServer({ path: ${socket}, methods: defineMethods({ add: callMethod({ handle: (p) => p.a + p.b }) }) });
const client = await connectIpc(${socket});
console.log(await client.call('add', { a: 2, b: 3 }));
await client.close(); await server.close();`;
    expect(node('esm', esm)).toBe('5');
    const cjs = `const { createIpcServer, defineMethods, callMethod } = require('@svc/ipc');
const { connectIpc } = require('@svc/ipc/client');
(async () => {
  const server = await createIpcServer({ path: ${socket}, methods: defineMethods({ twice: callMethod({ handle: (p) => p * 2 }) }) });
  const client = await connectIpc(${socket});
  console.log(await client.call('twice', 21));
  await client.close(); await server.close();
})();`;
    expect(node('cjs', cjs)).toBe('42');
  });

  it('an error from the subpath is an IpcError to the main entry, with its code', () => {
    const missing = JSON.stringify(path.join(tmpdir(), `svc-ipc-none-${process.pid}.sock`));
    const out = node(
      'esm',
      `import { isIpcError } from '@svc/ipc';
const { connectIpc } = await import('@svc/ipc/client');
try { await connectIpc(${missing}); } catch (e) { console.log(isIpcError(e), e.code); }`,
    );
    expect(out).toBe('true EIPC_NOT_RUNNING');
  });

  it('carries no server and loads no node:crypto', () => {
    for (const file of ['client.js', 'client.cjs']) {
      const text = readFileSync(path.join(dist, file), 'utf8');
      expect(text).not.toMatch(/createIpcServer|secure-path|["']node:fs\/promises["']|["']fs\/promises["']/);
    }
    const loaded = node('esm', `await import('@svc/ipc/client'); console.log(process.moduleLoadList.filter((m) => /crypto/.test(m)).length)`);
    expect(loaded).toBe('0');
  });

  it('exports only names the main entry exports too', () => {
    const out = node('esm', `const c = await import('@svc/ipc/client'); const m = await import('@svc/ipc'); console.log(JSON.stringify(Object.keys(c).filter((k) => !(k in m))), Object.keys(c).length)`);
    const [extra, count] = out.split(' ');
    expect(extra).toBe('[]');
    expect(Number(count)).toBeGreaterThan(10);
  });
});
