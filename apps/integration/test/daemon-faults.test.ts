import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { isAlive, processesOf, signal } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

const servers = (home: string) => processesOf(home).filter((p) => p.cmdline.includes(EXAMPLE_SERVER));

it('SIGSTOP of the daemon during a start, SIGCONT 2 s later: the start completes, status is true, one copy runs', async () => {
  const sb = createSandbox();
  const port = await freePort();
  // A start that takes a while: ready only after 1.5 s of staying up.
  sb.writeConfig({ services: { web: exampleService(port, { readiness: { type: 'notify', startWindow: '1500ms' } }) } });
  await sb.ok(['start', 'other', '--', process.execPath, '-e', 'setInterval(() => {}, 1 << 30)']);
  const daemon = (await sb.item('other'))!.supervisorPid!;
  const starting = sb.svc(['start', 'web']);
  await waitUntil('web to be spawned', () => servers(sb.home).length === 1);
  signal(daemon, 'SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  signal(daemon, 'SIGCONT');
  const started = await starting;
  expect(started.code, started.stderr).toBe(0);
  const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
  expect(await sb.item('web')).toMatchObject({ state: 'running', pid, supervisorAlive: true });
  expect(servers(sb.home).map((p) => p.pid)).toEqual([pid]);
  expect(await whoAnswers(port)).toMatchObject({ pid });
  await sb.ok(['stop', '--all']);
  await sb.ok(['stop', 'other']);
});

it('SIGKILL of the daemon during a reload: nothing of it is left, status says it died, and svc start brings back exactly one copy', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port, { instances: 2, listen: { port, host: '127.0.0.1' }, readiness: { type: 'notify', startWindow: '1s' } }) } });
  await sb.ok(['start', 'web']);
  const daemon = (await sb.item('web'))!.supervisorPid!;
  const reloading = sb.svc(['reload', 'web']);
  // A replacement is being started beside the two instances.
  await waitUntil('a replacement to be spawned', () => servers(sb.home).length === 3);
  signal(daemon, 'SIGKILL');
  const reload = await reloading;
  expect(reload.code).toBe(1);
  await waitUntil('every process of it to be gone', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
  expect(isAlive(daemon)).toBe(false);
  expect(await sb.item('web')).toMatchObject({ state: 'crashed', supervisorAlive: false, failure: expect.stringMatching(/^supervisor died/) });

  await sb.ok(['start', 'web']);
  const back = (await sb.item('web'))!;
  expect(back).toMatchObject({ state: 'running', supervisorAlive: true });
  expect(servers(sb.home)).toHaveLength(2);
  expect(await whoAnswers(port)).not.toBeNull();
  await sb.ok(['stop', 'web']);
});
