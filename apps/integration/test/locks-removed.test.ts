import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('the lock directory removed under a running daemon: the daemon and the service take their locks again, and a second start starts nothing', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port) } });
  const started = await sb.ok(['start', 'web']);
  const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
  const daemonPid = (await sb.item('web'))!.supervisorPid;
  const locks = path.join(sb.home, 'state', 'locks');
  const names = readdirSync(locks).sort();
  expect(names).toEqual(expect.arrayContaining(['svc-daemon.lock']));
  expect(names.some((n) => n.startsWith('svc-service-'))).toBe(true);

  rmSync(locks, { recursive: true, force: true });
  // The locks' heartbeats notice (the daemon's every 2 s, each service's every 10 s:
  // SERVICE_LOCK_TIMING), and each holder takes its lock again.
  await waitUntil('the locks to be taken again', () => {
    try {
      const holder = JSON.parse(readFileSync(path.join(locks, 'svc-daemon.lock', 'holder.json'), 'utf8')) as { pid: number };
      return holder.pid === daemonPid && readdirSync(locks).sort().join() === names.join();
    } catch {
      return false; // not there yet
    }
  }, { timeoutMs: 40_000 });
  const again = await sb.ok(['start', 'web']);
  expect(again.stdout).toMatch(new RegExp(`^web is already running \\(pid ${pid}, `, 'm'));
  expect(processesOf(sb.home).filter((p) => p.cmdline.includes(EXAMPLE_SERVER)).map((p) => p.pid)).toEqual([pid]);
  await sb.ok(['stop', 'web']);
  await waitUntil('nothing of this SVC_HOME to run', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
});
