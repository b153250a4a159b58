import { expect, it } from 'vitest';
import { freePort, request, whoAnswers } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { describe, isAlive, processesOf, signal } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('kill -9 of the supervisor daemon leaves no orphan, status shows it dead, and svc start brings back exactly one', async () => {
  const sb = createSandbox();
  const port = await freePort();
  // Frequent samples, so that the supervisor soon knows the whole process tree.
  sb.writeConfig({ services: { web: exampleService(port, { limits: { sampleInterval: '200ms' } }) } });
  await sb.ok(['start', 'web']);
  const before = (await sb.item('web'))!;
  const daemonPid = before.supervisorPid!;

  // The service spawns two sleepers: one in its process group, one that left it with setsid().
  const spawned = await request(`http://127.0.0.1:${port}/spawn`, { method: 'POST' });
  expect(spawned.status).toBe(200);
  const { child, detached } = JSON.parse(spawned.body) as { child: number; detached: number };
  await waitUntil('the supervisor to see the three processes of the service', async () => (await sb.item('web'))?.instances[0]?.processes === 3);
  const serviceTree = [before.pid!, child, detached];
  expect(serviceTree.every(isAlive)).toBe(true);

  signal(daemonPid, 'SIGKILL');
  await waitUntil('the daemon to die', () => !isAlive(daemonPid), { timeoutMs: 10_000 });

  // No orphan: within a few seconds every process of the service is gone, the setsid one too.
  await waitUntil('no process of the service to remain', () => serviceTree.every((pid) => !isAlive(pid)), {
    timeoutMs: 10_000,
    describe: () => describe(processesOf(sb.home)),
  });
  await waitUntil('nothing of this SVC_HOME to remain', () => processesOf(sb.home).length === 0, {
    timeoutMs: 10_000,
    describe: () => describe(processesOf(sb.home)),
  });
  expect(await whoAnswers(port)).toBeNull();

  // svc status shows it dead, never running, and says why.
  const [dead, ...rest] = await sb.status();
  expect(rest).toEqual([]);
  expect(dead).toMatchObject({ name: 'web', pid: null, supervisorAlive: false });
  expect(dead!.state).not.toBe('running');
  expect(dead!.health).toMatch(/died/);
  const table = await sb.svc(['status']);
  expect(table.stdout).toMatch(/^web\s+crashed\s/m);

  // svc start brings back exactly one: one daemon, one server, serving.
  const again = await sb.svc(['start', 'web']);
  expect(again.code).toBe(0);
  const back = (await sb.item('web'))!;
  expect(back).toMatchObject({ state: 'running', supervisorAlive: true });
  expect(back.supervisorPid).not.toBe(daemonPid);
  expect(await whoAnswers(port)).toMatchObject({ pid: back.pid });
  const alive = processesOf(sb.home);
  expect(alive.filter((p) => p.cmdline.includes(EXAMPLE_SERVER)).map((p) => p.pid)).toEqual([back.pid]);
  expect(alive.filter((p) => p.cmdline.some((a) => a.endsWith('/bin/daemon.mjs'))).map((p) => p.pid)).toEqual([back.supervisorPid]);
  expect(await sb.status()).toHaveLength(1);
});
