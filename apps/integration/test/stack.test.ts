import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, eventsOf as events, type Sandbox, type SvcEvent as Event } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * A stack as docker compose users write one: a one-shot migration, a database stand-in with a
 * readiness check, an API that needs both, a worker that needs the API. Each process also checks
 * for itself that what it needs is there when it starts (a marker file, a port that accepts), so a
 * wrong order fails the start, not only the event times.
 */

const node = process.execPath;

function stack(sb: Sandbox, port: number, migrate: string) {
  const marker = `${sb.dir}/migrated`;
  const needs = (what: string) => `const fs = require('fs'); const net = require('net');
if (${JSON.stringify(what)}.includes('migrated') && !fs.existsSync(${JSON.stringify(marker)})) { console.error('not migrated'); process.exit(4); }
const s = net.connect(${port}, '127.0.0.1', () => { s.end(); setInterval(() => {}, 1 << 30); });
s.on('error', (e) => { console.error('db down: ' + e.code); process.exit(5); });`;
  return {
    services: {
      worker: { command: node, args: ['-e', needs('db')], dependsOn: ['api'], stop: { timeout: '5s' } },
      api: { command: node, args: ['-e', needs('db migrated')], dependsOn: { db: 'ready', migrate: 'completed' }, stop: { timeout: '5s' } },
      migrate: { type: 'oneshot', command: node, args: ['-e', migrate.replace('MARKER', JSON.stringify(marker))] },
      db: {
        command: node,
        args: ['-e', `setTimeout(() => require('net').createServer((c) => c.end()).listen(${port}, '127.0.0.1'), 700)`],
        readiness: { type: 'tcp', port },
        stop: { timeout: '5s' },
      },
    },
  };
}


const at = (list: Event[], type: string, index = 0) => {
  const found = list.filter((e) => e.type === type)[index];
  if (!found) throw new Error(`no ${type} event (${index}) in ${JSON.stringify(list)}`);
  return Date.parse(found.time);
};

it('svc start with no name starts a stack of 4 in dependency order, shows the oneshot completed with its exit and time, and svc stop --all stops it in reverse', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig(stack(sb, port, `setTimeout(() => { require('fs').writeFileSync(MARKER, ''); console.log('migrated'); }, 600)`));

  const started = await sb.ok(['start']);
  expect(started.stdout).toMatch(/^migrate completed \(exit 0 after \d+\.\d s\)$/m);
  for (const name of ['db', 'api', 'worker']) expect(started.stdout).toMatch(new RegExp(`^${name} is running \\(pid \\d+`, 'm'));

  const [migrate, db, api, worker] = (await Promise.all(['migrate', 'db', 'api', 'worker'].map((n) => events(sb, n)))) as [Event[], Event[], Event[], Event[]];
  // api spawned only after migrate exited 0 and db was ready; worker only after api was ready.
  expect(migrate.find((e) => e.type === 'exited')).toMatchObject({ code: 0 });
  expect(at(api, 'spawned')).toBeGreaterThanOrEqual(at(migrate, 'exited'));
  expect(at(api, 'spawned')).toBeGreaterThanOrEqual(at(db, 'ready'));
  expect(at(worker, 'spawned')).toBeGreaterThanOrEqual(at(api, 'ready'));
  // Independent ones did not wait for each other: db was spawned before migrate ended.
  expect(at(db, 'spawned')).toBeLessThan(at(migrate, 'exited'));

  const item = (await sb.item('migrate'))!;
  expect(item).toMatchObject({ state: 'completed', pid: null, lastExit: { code: 0, signal: null } });
  expect(item.lastExit!.runMs).toBeGreaterThanOrEqual(550);
  expect((await sb.ok(['status'])).stdout).toMatch(/^migrate completed: exit 0 after \d+\.\d s, at /m);

  // Started again with everything up: nothing is restarted, the completed migration is not run again.
  const again = await sb.ok(['start', 'api']);
  expect(again.stdout).toMatch(/^api is already running/m);
  expect((await events(sb, 'migrate')).filter((e) => e.type === 'spawned')).toHaveLength(1);

  await sb.ok(['stop', '--all']);
  const [dbAfter, apiAfter, workerAfter] = (await Promise.all(['db', 'api', 'worker'].map((n) => events(sb, n)))) as [Event[], Event[], Event[]];
  // Dependents were gone before what they depend on was asked to stop.
  expect(at(apiAfter, 'stop-requested')).toBeGreaterThanOrEqual(at(workerAfter, 'exited'));
  expect(at(dbAfter, 'stop-requested')).toBeGreaterThanOrEqual(at(apiAfter, 'exited'));
  await waitUntil('the idle daemon to exit', () => processesOf(sb.home).length === 0, { timeoutMs: 20_000 });
});

it('a failing migration fails the start of what needs it with the chain of causes; what does not need it starts', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig(stack(sb, port, `setTimeout(() => { console.error('relation "users" already exists'); process.exit(1); }, 300)`));

  const failed = await sb.svc(['start', 'worker']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/worker not started: api not started: migrate exited with code 1: relation "users" already exists/);
  const json = await sb.svc(['start', 'api', '--json']);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'ESTART_FAILED', message: expect.stringContaining('api not started: migrate exited with code 1') } });

  expect(await sb.item('migrate')).toMatchObject({ state: 'failed', lastExit: { code: 1 } });
  expect(await sb.item('db')).toMatchObject({ state: 'running' });
  // Neither api nor worker was ever spawned.
  expect(await sb.item('api')).toBeUndefined();
  expect(await sb.item('worker')).toBeUndefined();
  await sb.ok(['stop', '--all']);
});

it('a restart of a dependency restarts only the dependents that asked for it (dependsOn restart: true)', async () => {
  const sb = createSandbox();
  const idle = ['-e', 'setInterval(() => {}, 1 << 30)'];
  sb.writeConfig({
    services: {
      db: { command: node, args: idle, readiness: { startWindow: '100ms' } },
      api: { command: node, args: idle, readiness: { startWindow: '100ms' }, dependsOn: { db: { condition: 'started', restart: true } } },
      cron: { command: node, args: idle, readiness: { startWindow: '100ms' }, dependsOn: ['db'] },
    },
  });
  await sb.ok(['start']);
  const before = Object.fromEntries(await Promise.all(['db', 'api', 'cron'].map(async (n) => [n, (await sb.item(n))!.pid] as const)));
  const restarted = await sb.ok(['restart', 'db']);
  expect(restarted.stdout).toMatch(/^api restarted after db/m);
  expect((await sb.item('db'))!.pid).not.toBe(before.db);
  expect((await sb.item('api'))!.pid).not.toBe(before.api);
  expect((await sb.item('cron'))!.pid).toBe(before.cron);
  await sb.ok(['stop', '--all']);
});

it('svc config validate refuses a cycle, an unknown name and a condition that can never be met, naming each key', async () => {
  const sb = createSandbox();
  sb.writeConfig({
    services: {
      a: { command: node, dependsOn: ['b'] },
      b: { command: node, dependsOn: { a: 'ready', ghost: 'ready' } },
      c: { command: node, dependsOn: { a: 'completed' } },
      m: { type: 'oneshot', command: node, restart: { policy: 'always' } },
    },
  });
  const result = await sb.svc(['config', 'validate']);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/services\.a\.dependsOn\.b.*a → b → a/);
  expect(result.stderr).toMatch(/services\.b\.dependsOn\.ghost/);
  expect(result.stderr).toMatch(/services\.c\.dependsOn\.a.*not a oneshot/);
  expect(result.stderr).toMatch(/services\.m\.restart\.policy.*on-failure or never with type oneshot/);
  // And nothing starts from it.
  expect((await sb.svc(['start'])).code).not.toBe(0);
  expect(processesOf(sb.home)).toEqual([]);
});
