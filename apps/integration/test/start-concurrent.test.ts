import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('two svc start at once with no daemon running: both succeed, one daemon, one instance', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port) } });

  // Each CLI spawns a daemon before it loads its commands; one wins the daemon lock, the other
  // daemon exits, and its CLI waits for the winner instead of failing.
  const [a, b] = await Promise.all([sb.svc(['start', 'web']), sb.svc(['start', 'web'])]);
  for (const result of [a, b]) {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^web is (already )?running \(pid \d+/m);
  }

  const item = await sb.item('web');
  expect(item).toMatchObject({ state: 'running', restarts: 0 });
  expect(item!.instances).toHaveLength(1);
  const daemons = await waitUntil('the losing daemon to be gone', () => {
    const found = processesOf(sb.home).filter((p) => p.cmdline.some((arg) => arg.endsWith('/bin/daemon.mjs')));
    return found.length === 1 ? found : undefined;
  });
  expect(daemons.map((d) => d.pid)).toEqual([item!.supervisorPid]);
  expect((await whoAnswers(port))?.pid).toBe(item!.pid);
  await sb.ok(['stop', 'web']);
});
