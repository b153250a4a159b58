import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { startLoad } from './helpers/load.js';
import { reloadsUnderLoad } from './helpers/reloads.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/** A 2-instance example server on a socket svc holds; VERSION comes from the config. */
function config(port: number, version: string) {
  return {
    services: {
      web: exampleService(port, { instances: 2, listen: { port, host: '127.0.0.1' }, env: { VERSION: version }, stop: { timeout: '20s' } }),
    },
  };
}

it('svc reload, three times in a row under 50 keep-alive connections: 0 failed, 0 refused, the new version after each', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig(config(port, 'v1'));
  await sb.ok(['start', 'web']);
  const started = await sb.item('web');
  expect(started).toMatchObject({ state: 'running' });
  expect(started!.instances.map((i) => [i.instance, i.state])).toEqual([
    [0, 'running'],
    [1, 'running'],
  ]);

  const load = await reloadsUnderLoad(sb, { service: 'web', port, versions: ['v2', 'v3', 'v4'], config: (version) => config(port, version) });
  expect(load.failed()).toEqual([]);
  expect(load.refused()).toEqual([]);
  expect(load.answered()).toBeGreaterThan(500);
  await sb.ok(['stop', 'web']);
});

it('a reload whose new code cannot start keeps the old instances serving with 0 failed requests, and reports the failure with its stderr', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig(config(port, 'v1'));
  await sb.ok(['start', 'web']);
  const pids = (await sb.item('web'))!.instances.map((i) => i.pid);

  const broken = sb.writeFile('broken.mjs', "console.error('cannot start: DATABASE_URL is not set');\nprocess.exit(3);\n");
  const brokenConfig = config(port, 'v2');
  (brokenConfig.services.web as { args: string[] }).args = [broken];
  sb.writeConfig(brokenConfig);

  const load = startLoad(port, { connections: 50 });
  try {
    await waitUntil('the load to flow', () => load.answered() >= 200, { timeoutMs: 60_000 });
    const result = await sb.svc(['reload', 'web']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not become ready');
    expect(result.stderr).toContain('cannot start: DATABASE_URL is not set');
    const json = await sb.svc(['reload', 'web', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'ERELOAD_FAILED' } });

    const after = performance.now();
    await waitUntil('answers after the failed reloads', () => load.identities(after).length >= 30, { timeoutMs: 60_000 });
    expect(new Set(load.identities(after).map((i) => i.version))).toEqual(new Set(['v1']));
  } finally {
    await load.stop();
  }
  expect(load.failed()).toEqual([]);
  const item = await sb.item('web');
  expect(item).toMatchObject({ state: 'running' });
  expect(item!.instances.map((i) => i.pid)).toEqual(pids);
  await sb.ok(['stop', 'web']);
});
