import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { daemonsOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';

it('two projects that each have a service called api run at once under one daemon, and each is managed from its own directory', async () => {
  const sb = createSandbox();
  const [portA, portB] = [await freePort(), await freePort()];
  const a = sb.project('shop', { services: { api: exampleService(portA, { env: { VERSION: 'shop' } }) } });
  const b = sb.project('blog', { services: { api: exampleService(portB, { env: { VERSION: 'blog' } }) } });

  await sb.ok(['start', 'api'], { cwd: a });
  // The second used to be refused by the machine-wide lock svc-service-api.
  const second = await sb.svc(['start', 'api'], { cwd: b });
  expect(second.stderr).toBe('');
  expect(second.stdout).toMatch(/^api is running \(pid \d+\)$/m);
  expect(await whoAnswers(portA)).toMatchObject({ version: 'shop' });
  expect(await whoAnswers(portB)).toMatchObject({ version: 'blog' });
  expect(daemonsOf(sb.home)).toHaveLength(1);

  // svc status groups by project: the same name twice, each with its config.
  const items = await sb.status();
  expect(items.map((i) => [i.project, i.name, i.state])).toEqual([
    [`${b}/svc.config.yaml`, 'api', 'running'],
    [`${a}/svc.config.yaml`, 'api', 'running'],
  ]);
  const table = (await sb.ok(['status'])).stdout;
  expect(table.indexOf(`${b}/svc.config.yaml`)).toBeLessThan(table.indexOf(`${a}/svc.config.yaml`));

  // Each command acts on its own project's api.
  const logs = await sb.ok(['logs', 'api', '--events', '-n', '50'], { cwd: b });
  expect(logs.stdout).toContain('"type":"ready"');
  await sb.ok(['restart', 'api'], { cwd: a });
  expect((await sb.status()).map((i) => [i.project, i.restarts])).toEqual([
    [`${b}/svc.config.yaml`, 0],
    [`${a}/svc.config.yaml`, 1],
  ]);
  const stopped = await sb.ok(['stop', 'api'], { cwd: b });
  expect(stopped.stdout).toMatch(/^api stopped$/m);
  expect(await whoAnswers(portB)).toBeNull();
  expect(await whoAnswers(portA)).toMatchObject({ version: 'shop' });
  expect((await sb.status()).map((i) => i.project)).toEqual([`${a}/svc.config.yaml`]);
  await sb.ok(['stop', 'api'], { cwd: a });
});
