import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { daemonsOf, describe, isAlive, processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('svc run is the daemon in the foreground: it serves svc commands, reloads on SIGHUP, stops everything on SIGTERM, and refuses to be a second daemon', async () => {
  const sb = createSandbox();
  const [webPort, apiPort] = [await freePort(), await freePort()];
  sb.writeConfig({ services: { web: exampleService(webPort), api: exampleService(apiPort) } });

  const run = sb.spawnSvc(['run']);
  await waitUntil('both services to run', async () => (await sb.status()).filter((i) => i.state === 'running').length === 2, {
    describe: () => `stdout ${run.lines().join(' | ')} stderr ${run.stderr()}`,
  });
  expect(run.lines()[0]).toMatch(/^svc daemon \S+ \(pid (\d+)\) serving .*daemon\.sock$/);
  const items = await sb.status();
  expect(items.every((i) => i.supervisorPid === run.child.pid)).toBe(true);
  // Other commands talk to it as to the on-demand daemon.
  expect((await sb.ok(['logs', 'web', '--events', '-n', '20'])).stdout).toContain('"type":"ready"');
  const second = await sb.svc(['run', 'api']);
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(/a svc daemon already runs \(pid \d+\)/);
  expect(daemonsOf(sb.home)).toEqual([]); // the foreground one is `svc run`, not bin/daemon.mjs

  // SIGHUP: every service reloaded (here restarted: no listen) as the config file says now, the daemon stays.
  const before = Object.fromEntries(items.map((i) => [i.name, i.pid]));
  sb.writeConfig({ services: { web: exampleService(webPort, { env: { VERSION: 'edited' } }), api: exampleService(apiPort) } });
  run.child.kill('SIGHUP');
  await waitUntil('both restarted', async () => (await sb.status()).every((i) => i.state === 'running' && i.pid !== before[i.name]));
  expect(isAlive(run.child.pid!)).toBe(true);
  expect(await whoAnswers(webPort)).toMatchObject({ version: 'edited' });

  // A config that became invalid: SIGHUP changes nothing, and the daemon says why.
  const running = Object.fromEntries((await sb.status()).map((i) => [i.name, i.pid]));
  sb.writeConfig({ services: { web: exampleService(webPort, { restart: { policy: 'sometimes' } }), api: exampleService(apiPort) } });
  run.child.kill('SIGHUP');
  await waitUntil('the daemon to say why it kept them', () => /SIGHUP: web keeps running as it was: .*restart\.policy/s.test(run.stderr()));
  expect(Object.fromEntries((await sb.status()).map((i) => [i.name, i.pid]))).toEqual(running);
  expect(await whoAnswers(webPort)).toMatchObject({ version: 'edited' });

  // SIGTERM: graceful stop of everything, exit 0, nothing left.
  run.child.kill('SIGTERM');
  const ended = await run.exited;
  expect(ended.code, ended.stderr).toBe(0);
  expect(await whoAnswers(webPort)).toBeNull();
  expect(await whoAnswers(apiPort)).toBeNull();
  await waitUntil('nothing of this SVC_HOME to run', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000, describe: () => describe(processesOf(sb.home)) });
});
