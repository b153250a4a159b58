import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { isAlive, processesOf, signal } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a daemon killed after its orphan guard: svc status says which processes it left running, by pid, instead of only "supervisor died"', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port) } });
  await sb.ok(['start', 'web']);
  const item = (await sb.item('web'))!;
  const [guard] = processesOf(sb.home).filter((p) => p.cmdline[0] === '/bin/sh');
  expect(guard).toBeDefined();

  // The documented limit of the guard: killed first, it cannot act when the daemon dies.
  signal(guard!.pid, 'SIGKILL');
  await waitUntil('the guard to die', () => !isAlive(guard!.pid));
  signal(item.supervisorPid!, 'SIGKILL');
  await waitUntil('the daemon to die', () => !isAlive(item.supervisorPid!));
  expect(isAlive(item.pid!)).toBe(true);

  const dead = (await sb.item('web'))!;
  expect(dead).toMatchObject({ state: 'crashed', supervisorAlive: false });
  expect(dead.failure).toMatch(new RegExp(`supervisor died .*; 1 of its processes still run, unsupervised \\(pids ${item.pid}\\): stop them with kill ${item.pid}$`));
  expect((await sb.ok(['status'])).stdout).toContain(`still run, unsupervised (pids ${item.pid})`);

  signal(item.pid!, 'SIGKILL');
  await waitUntil('the orphan to be gone', () => processesOf(sb.home).filter((p) => p.cmdline.includes(EXAMPLE_SERVER)).length === 0);
  expect((await sb.item('web'))!.failure).not.toMatch(/still run/);
});
