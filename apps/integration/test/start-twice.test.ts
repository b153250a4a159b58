import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';

it('a second svc start says it is already running, with its pid and uptime, exits 0 and starts nothing', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port) } });

  const first = await sb.svc(['start', 'web']);
  expect(first.code).toBe(0);
  const pid = Number(/pid (\d+)/.exec(first.stdout)![1]);

  const second = await sb.svc(['start', 'web']);
  expect(second.code).toBe(0);
  expect(second.stderr).toBe('');
  expect(second.stdout).toMatch(new RegExp(`^web is already running \\(pid ${pid}, up \\d+(s|m \\d+s)\\)$`, 'm'));

  const asJson = await sb.svc(['start', 'web', '--json']);
  expect(asJson.code).toBe(0);
  // The same config as the running one: nothing differs, nothing replaced.
  expect(JSON.parse(asJson.stdout)).toEqual({ started: [], alreadyRunning: ['web'], differs: [], replaced: [] });

  // Still one server and one daemon: the same pid serves, nothing was spawned beside it.
  const [item] = await sb.status();
  expect(item).toMatchObject({ name: 'web', state: 'running', pid, restarts: 0 });
  const servers = processesOf(sb.home).filter((p) => p.cmdline.includes(EXAMPLE_SERVER));
  expect(servers.map((p) => p.pid)).toEqual([pid]);
  const daemons = processesOf(sb.home).filter((p) => p.cmdline.some((a) => a.endsWith('/bin/daemon.mjs')));
  expect(daemons.map((p) => p.pid)).toEqual([item!.supervisorPid]);
});
