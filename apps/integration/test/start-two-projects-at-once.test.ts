import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { daemonsOf, describe, processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('svc start of two projects at the same instant with no daemon running: one daemon results and both run', async () => {
  const sb = createSandbox();
  const [portA, portB] = [await freePort(), await freePort()];
  const a = sb.project('a', { services: { web: exampleService(portA) } });
  const b = sb.project('b', { services: { worker: exampleService(portB) } });

  // Each CLI finds no daemon and spawns one; one wins the daemon lock, the other exits, and both
  // CLIs talk to the winner.
  const [ra, rb] = await Promise.all([sb.svc(['start', 'web'], { cwd: a }), sb.svc(['start', 'worker'], { cwd: b })]);
  expect(ra.code, ra.stderr).toBe(0);
  expect(rb.code, rb.stderr).toBe(0);
  const daemons = await waitUntil('the losing daemon to be gone', () => {
    const found = daemonsOf(sb.home);
    return found.length === 1 ? found : undefined;
  }, { describe: () => describe(processesOf(sb.home)) });
  const items = await sb.status();
  expect(items.map((i) => [i.name, i.state])).toEqual([
    ['web', 'running'],
    ['worker', 'running'],
  ]);
  expect(items.every((i) => i.supervisorPid === daemons[0]!.pid)).toBe(true);
  expect((await whoAnswers(portA))?.pid).toBe(items[0]!.pid);
  expect((await whoAnswers(portB))?.pid).toBe(items[1]!.pid);
  await sb.ok(['daemon', 'stop']);
});
