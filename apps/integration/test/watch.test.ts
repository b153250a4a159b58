import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { startLoad } from './helpers/load.js';
import { createSandbox, eventsOf as events, exampleService, type Sandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * `watch` with the built CLI: a service started by `svc start` from a config in a sandbox,
 * restarted by real file changes. "Exactly once" is counted after a quiet period well past the
 * debounce (300 ms here): a restart still due would have begun by then.
 */


const triggered = async (sb: Sandbox, service: string) => (await events(sb, service)).filter((e) => e.type === 'triggered');

async function quietPeriod(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 3_000));
}

/** A service that stays up and does nothing: what changes is its files. */
const APP = "console.log(`up ${process.pid}`);\nsetInterval(() => {}, 1 << 30);\n";

it('a file change restarts a watched service once; a burst of 200 writes once; node_modules never; after svc stop nothing', async () => {
  const sb = createSandbox();
  sb.writeFile('server.js', APP);
  mkdirSync(path.join(sb.dir, 'node_modules', 'dep'), { recursive: true });
  mkdirSync(path.join(sb.dir, 'src'));
  sb.writeConfig({ services: { api: { command: process.execPath, args: ['server.js'], watch: { debounce: '300ms' } } } });
  await sb.ok(['start', 'api']);
  await waitUntil('the watch to be ready', async () => (await events(sb, 'api')).some((e) => e.type === 'watching'));
  const first = (await sb.item('api'))!.pid;

  writeFileSync(path.join(sb.dir, 'src', 'routes.js'), 'v2');
  await waitUntil('the restart', async () => {
    const item = await sb.item('api');
    return item?.state === 'running' && item.pid !== first;
  });
  await quietPeriod();
  const once = await triggered(sb, 'api');
  expect(once).toHaveLength(1);
  expect(once[0]).toMatchObject({ by: 'watch', action: 'restart', path: 'src/routes.js', why: 'src/routes.js changed' });
  const second = (await sb.item('api'))!.pid;

  // A `git checkout` of 200 files: one restart, once the writes are over.
  for (let i = 0; i < 200; i++) writeFileSync(path.join(sb.dir, 'src', `module-${i}.js`), String(i));
  await waitUntil('the restart after the burst', async () => {
    const item = await sb.item('api');
    return item?.state === 'running' && item.pid !== second;
  });
  await quietPeriod();
  const twice = await triggered(sb, 'api');
  expect(twice).toHaveLength(2);
  expect(twice[1]).toMatchObject({ by: 'watch', paths: 200, why: 'src/module-0.js changed (and 199 other paths)' });
  const third = (await sb.item('api'))!;
  expect(third.restarts).toBe(2);

  writeFileSync(path.join(sb.dir, 'node_modules', 'dep', 'index.js'), 'x');
  await quietPeriod();
  expect(await triggered(sb, 'api')).toHaveLength(2);
  expect((await sb.item('api'))!.pid).toBe(third.pid);

  await sb.ok(['stop', 'api']);
  writeFileSync(path.join(sb.dir, 'src', 'routes.js'), 'v3');
  await quietPeriod();
  expect(await sb.item('api')).toBeUndefined();
});

it('with listen, a change reloads: the load keeps flowing (0 failed), the port stays, the old instance is gone', async () => {
  const sb = createSandbox();
  const port = await freePort();
  mkdirSync(path.join(sb.dir, 'src'));
  sb.writeConfig({ services: { web: exampleService(port, { listen: { port, host: '127.0.0.1' }, watch: { paths: ['src'], debounce: '300ms' }, stop: { timeout: '20s' } }) } });
  await sb.ok(['start', 'web']);
  await waitUntil('the watch to be ready', async () => (await events(sb, 'web')).some((e) => e.type === 'watching'));
  const old = (await sb.item('web'))!.pid;

  const load = startLoad(port, { connections: 20 });
  try {
    await waitUntil('the load to flow', () => load.answered() >= 100, { timeoutMs: 60_000 });
    writeFileSync(path.join(sb.dir, 'src', 'handler.js'), 'v2');
    await waitUntil('the reload', async () => (await events(sb, 'web')).some((e) => e.type === 'reload-done'), { timeoutMs: 60_000 });
    const after = performance.now();
    await waitUntil('answers after the reload', () => load.identities(after).length >= 20, { timeoutMs: 60_000 });
  } finally {
    await load.stop();
  }
  expect(load.failed()).toEqual([]);
  const all = await events(sb, 'web');
  expect(all.filter((e) => e.type === 'triggered')).toEqual([expect.objectContaining({ by: 'watch', action: 'reload', path: 'src/handler.js' })]);
  expect(all.find((e) => e.type === 'instance-replaced')).toMatchObject({ oldPid: old });
  const now = (await sb.item('web'))!.pid;
  expect(now).not.toBe(old);
  expect(await whoAnswers(port)).toMatchObject({ pid: now });
});
