import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort, request, whoAnswers } from './helpers/http.js';
import { FIXTURES } from './helpers/paths.js';
import { daemonsOf, describe, isAlive, processesOf, signal } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('SIGKILL of the daemon hosting 3 projects and 4 ad-hoc services: nothing of any of them is left, and svc status says what died', async () => {
  const sb = createSandbox();
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const projects = ['one', 'two', 'three'].map((name, i) => sb.project(name, { services: { [`web-${name}`]: exampleService(ports[i]!) } }));
  for (const [i, dir] of projects.entries()) await sb.ok(['start', `web-${['one', 'two', 'three'][i]}`], { cwd: dir });
  for (const name of ['a1', 'a2', 'a3', 'a4']) await sb.ok(['start', name, '--', process.execPath, path.join(FIXTURES, 'counter.mjs')]);
  const [daemon] = daemonsOf(sb.home);
  expect(daemon).toBeDefined();
  expect((await sb.status()).map((i) => i.state)).toEqual(Array(7).fill('running'));

  // Young descendants the supervisor has not seen yet: a plain child and a setsid() one, spawned
  // just before the kill (no sample of the tree since).
  const spawned = await request(`http://127.0.0.1:${ports[0]}/spawn`, { method: 'POST' });
  const { child, detached } = JSON.parse(spawned.body) as { child: number; detached: number };
  const everything = processesOf(sb.home).filter((p) => p.pid !== daemon!.pid);
  expect(everything.length).toBeGreaterThanOrEqual(7 + 2);

  signal(daemon!.pid, 'SIGKILL');
  await waitUntil('no process of any project to remain', () => processesOf(sb.home).length === 0, {
    timeoutMs: 10_000,
    describe: () => describe(processesOf(sb.home)),
  });
  for (const pid of [child, detached, ...everything.map((p) => p.pid)]) expect(isAlive(pid), String(pid)).toBe(false);
  for (const port of ports) expect(await whoAnswers(port)).toBeNull();

  // svc status (no daemon now) says what died: every service, crashed, no pid, why.
  const items = await sb.status();
  expect(items).toHaveLength(7);
  for (const item of items) {
    expect(item).toMatchObject({ state: 'crashed', pid: null, supervisorAlive: false });
    expect(item.health).toMatch(/supervisor died \(daemon pid \d+/);
  }
  const table = (await sb.ok(['status'])).stdout;
  expect(table).toMatch(/^web-one\s+crashed\s/m);
  expect(table).toMatch(/^a1 is not supervised: supervisor died/m);

  // Started again: running under a new daemon, the others still shown as they died, until cleared.
  await sb.ok(['start', 'web-one'], { cwd: projects[0] });
  expect((await sb.item('web-one'))!.state).toBe('running');
  expect((await sb.item('a1'))!.state).toBe('crashed');
  await sb.ok(['stop', 'a1']);
  expect(await sb.item('a1')).toBeUndefined();
  await sb.ok(['daemon', 'stop']);
});
