import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { isAlive, processesOf, signal } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a daemon killed after its orphan guard: svc status names what it left running, svc start refuses a second copy, svc stop ends them', async () => {
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
  expect(dead.failure).toMatch(new RegExp(`supervisor died .*; 1 of its processes still run, unsupervised \\(pids ${item.pid}\\): svc stop web ends them \\(or kill ${item.pid}\\)$`));
  expect((await sb.ok(['status'])).stdout).toContain(`still run, unsupervised (pids ${item.pid})`);

  // One copy, always: a start would bind a second server beside the one still serving. Refused,
  // naming the pids, and nothing new is spawned; the new daemon's status says the same.
  const servers = () => processesOf(sb.home).filter((p) => p.cmdline.includes(EXAMPLE_SERVER)).map((p) => p.pid);
  const again = await sb.svc(['start', 'web']);
  expect(again.code, again.stdout).toBe(1);
  expect(again.stderr).toContain(`web not started: 1 of its processes from before its daemon (pid ${item.supervisorPid}) died still run, unsupervised (pids ${item.pid})`);
  expect(servers()).toEqual([item.pid]);
  expect(await whoAnswers(port)).toMatchObject({ pid: item.pid });
  const json = await sb.svc(['start', 'web', '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'ELEFTOVERS', data: { service: 'web', pids: [item.pid] } } });
  expect((await sb.item('web'))!.failure).toContain(`svc stop web ends them (or kill ${item.pid})`);

  // svc stop ends them; then the service starts, once.
  expect((await sb.ok(['stop', 'web'])).stdout).toContain(`web stopped: ended 1 of its processes its dead daemon had left running (pids ${item.pid})`);
  await waitUntil('the orphan to be gone', () => servers().length === 0);
  await sb.ok(['start', 'web']);
  const started = (await sb.item('web'))!;
  expect(started.state).toBe('running');
  expect(servers()).toEqual([started.pid]);
  expect(await whoAnswers(port)).toMatchObject({ pid: started.pid });
  expect(started.failure ?? '').not.toMatch(/still run/);
});
