import { expect, it } from 'vitest';
import { freePort, request, whoAnswers } from './helpers/http.js';
import { isAlive } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a crashed service is restarted: status shows restarts = 1, a new pid, the last exit, and it serves again', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port, { restart: { delay: '200ms' } }) } });
  await sb.ok(['start', 'web']);
  const before = (await sb.item('web'))!;
  expect(before).toMatchObject({ state: 'running', restarts: 0 });

  const crash = await request(`http://127.0.0.1:${port}/crash`, { method: 'POST' });
  expect(crash.status).toBe(200);

  const after = await waitUntil('web to run again after the crash', async () => {
    const item = await sb.item('web');
    return item && item.state === 'running' && item.restarts === 1 ? item : undefined;
  });
  expect(after.pid).not.toBe(before.pid);
  expect(isAlive(before.pid!)).toBe(false);
  expect(after.supervisorPid).toBe(before.supervisorPid);
  expect(after.lastExit).toMatchObject({ code: 1, signal: null });
  expect(after.instances).toMatchObject([{ pid: after.pid, state: 'running', restarts: 1 }]);
  expect(await whoAnswers(port)).toMatchObject({ pid: after.pid });

  // The crash is in the service's stderr log: the example server prints the stack there.
  const stderr = await sb.svc(['logs', 'web', '--stderr', '-n', '50']);
  expect(stderr.code).toBe(0);
  expect(stderr.stdout).toMatch(/crash/i);
});
