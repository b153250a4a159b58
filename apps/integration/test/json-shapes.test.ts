import { expect, it } from 'vitest';
import { statusItemSchema, STATUS_ITEM_STATES, type StatusItem } from '../../cli/src/status-item.js';
import { freePort } from './helpers/http.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('svc status --json items match the exported schema in every state, and errors are { error: { code, message } }', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({
    services: {
      web: exampleService(port, { limits: { sampleInterval: '200ms' } }),
      idle: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
      broken: { command: process.execPath, args: ['-e', 'console.error("no"); process.exit(2)'], restart: { delay: '50ms', maxDelay: '50ms', crashLoop: { count: 2 } } },
    },
  });
  expect(await sb.status()).toEqual([]);
  await sb.ok(['start', 'web']);
  await sb.svc(['start', 'broken']);

  // sb.status() validates every item with statusItemSchema; here each state the suite can reach.
  const items = await waitUntil('web sampled, broken failed', async () => {
    const all = await sb.status();
    const web = all.find((i) => i.name === 'web');
    const broken = all.find((i) => i.name === 'broken');
    return web?.memoryBytes && broken?.state === 'failed' ? all : undefined;
  });
  // What the daemon supervises (and what failed), never a service that was not started (idle).
  expect(items.map((i) => [i.name, i.state])).toEqual([
    ['broken', 'failed'],
    ['web', 'running'],
  ]);
  const web = items.find((i) => i.name === 'web')!;
  expect(Object.keys(web).sort()).toEqual(
    ['name', 'state', 'pid', 'supervisorPid', 'uptimeMs', 'restarts', 'lastExit', 'memoryBytes', 'cpuPercent', 'health', 'instances', 'project', 'supervisorAlive', 'failure', 'fencingToken', 'droppedLogLines'].sort(),
  );
  expect(items.find((i) => i.name === 'broken')!.stderrTail).toContain('no');
  for (const item of items) expect(STATUS_ITEM_STATES).toContain(item.state);

  // One name: the same item alone.
  expect(await sb.status('web')).toEqual([expect.objectContaining({ name: 'web', pid: web.pid })]);

  // The schema is a real check, not a pass-through: it refuses what a script could not rely on.
  const mutations: Array<[string, (i: Record<string, unknown>) => void]> = [
    ['unknown state', (i) => (i.state = 'up')],
    ['missing pid', (i) => delete i.pid],
    ['string restarts', (i) => (i.restarts = '0')],
    ['negative uptime', (i) => (i.uptimeMs = -1)],
    ['extra field', (i) => (i.colour = 'green')],
    ['bad lastExit time', (i) => (i.lastExit = { code: 1, signal: null, at: 'yesterday' })],
    ['instance without state', (i) => delete (i.instances as Array<Record<string, unknown>>)[0]!.state],
  ];
  for (const [what, mutate] of mutations) {
    const copy = structuredClone(web) as StatusItem & Record<string, unknown>;
    mutate(copy);
    expect(statusItemSchema.safeParse(copy).success, what).toBe(false);
  }

  // Errors, with --json, are one object on stdout with a code and a message; bad usage (a name
  // this project does not have) exits 2.
  const unknown = await sb.svc(['stop', 'nope', '--json']);
  expect(unknown.code).toBe(2);
  expect(JSON.parse(unknown.stdout)).toEqual({ error: expect.objectContaining({ code: 'EUSAGE', message: expect.stringContaining('nope') }) });
  const noConfig = await sb.svc(['status', '--json'], { cwd: sb.home });
  // status needs no config: it asks the daemon of SVC_HOME, from anywhere.
  expect(noConfig.code).toBe(0);
  expect((JSON.parse(noConfig.stdout) as StatusItem[]).map((i) => i.name)).toEqual(['broken', 'web']);
  // With no config here, a name is one of the ad-hoc project, which has no web.
  const logsNoConfig = await sb.svc(['logs', 'web', '--json'], { cwd: sb.home });
  expect(logsNoConfig.code).toBe(1);
  expect(JSON.parse(logsNoConfig.stdout)).toEqual({ error: expect.objectContaining({ code: 'ENOT_RUNNING', message: 'no logs for web yet: it has not run here' }) });
});
