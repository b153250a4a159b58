import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

/*
 * What importing the built package loads (the test command builds first). A daemon's boot is on
 * the path of every cold `svc start`: node:http (and with it Node's bundled fetch/WebSocket client,
 * which an ES import of node:http loads) must wait until a service has an HTTP probe.
 */
const loadedBy = (code: string): string[] =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', `const before = new Set(process.moduleLoadList); ${code}; console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))))`], {
      cwd: path.resolve(import.meta.dirname, '..'),
      encoding: 'utf8',
    }),
  ) as string[];

it('importing the package does not load node:http, node:https or undici', () => {
  const loaded = loadedBy("await import('@svc/supervisor')");
  // The import itself did load the package's own dependencies (the check sees what it claims to).
  expect(loaded).toContain('NativeModule child_process');
  expect(loaded).toContain('NativeModule net');
  expect(loaded.filter((m) => /^NativeModule (http|https|_http_client|internal\/deps\/undici\/undici)$/.test(m))).toEqual([]);
});

it("the daemon's process (dist/daemon.js) loads neither node:crypto nor node:util's whole namespace as it boots", () => {
  // node:crypto (≈ 12 ms) and the namespace of node:util (which pulls in worker_threads) were on
  // the path of every cold `svc start`; random ids come from /dev/urandom, util is required.
  const loaded = loadedBy("await import('./dist/daemon.js')");
  expect(loaded).toContain('NativeModule child_process');
  expect(loaded.filter((m) => /^NativeModule (crypto|worker_threads|internal\/crypto\/.*)$/.test(m))).toEqual([]);
});

it('the spawn entry (what `svc start` loads before anything else) loads neither the IPC client nor node:child_process until it spawns', () => {
  const loaded = loadedBy("await import('@svc/supervisor/spawn')");
  expect(loaded).toContain('NativeModule os');
  expect(loaded.filter((m) => /^NativeModule (child_process|net|crypto)$/.test(m))).toEqual([]);
});
