import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { daemonsOf, processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('the run directory removed under a running daemon (tmpfiles, a logout): still one daemon and one copy, and the service is managed as before', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port) } });
  const started = await sb.ok(['start', 'web']);
  const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
  const daemons = processesOf(sb.home).filter((p) => !p.cmdline.includes(EXAMPLE_SERVER));

  rmSync(path.join(sb.home, 'run'), { recursive: true, force: true });
  const again = await sb.ok(['start', 'web']);
  expect(again.stdout).toMatch(new RegExp(`^web is already running \\(pid ${pid}, `, 'm'));
  expect(processesOf(sb.home).filter((p) => p.cmdline.includes(EXAMPLE_SERVER)).map((p) => p.pid)).toEqual([pid]);
  expect(processesOf(sb.home).filter((p) => !p.cmdline.includes(EXAMPLE_SERVER)).map((p) => p.pid).sort()).toEqual(daemons.map((p) => p.pid).sort());
  expect(daemonsOf(sb.home)).toHaveLength(1);

  // A restart needs the notify socket (readiness notify): it is made again for the new process.
  const restarted = await sb.ok(['restart', 'web']);
  const newPid = Number(/pid (\d+)/.exec(restarted.stdout)![1]);
  expect(newPid).not.toBe(pid);
  expect(await whoAnswers(port)).toMatchObject({ pid: newPid });
  expect((await sb.ok(['logs', 'web', '--events', '-n', '50'])).stdout).toContain(`"type":"ready","pid":${newPid}`);

  await sb.ok(['stop', 'web']);
  await waitUntil('nothing of this SVC_HOME to run', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
});
