import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { startLoad } from './helpers/load.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a crash loop in one project while another reloads under load: 0 failed requests there, and a bad config elsewhere changes nothing', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const webConfig = (version: string) => ({
    services: { web: exampleService(port, { instances: 2, listen: { port, host: '127.0.0.1' }, env: { VERSION: version }, stop: { timeout: '20s' } }) },
  });
  const shop = sb.project('shop', webConfig('v1'));
  // Crashes at once, again and again: quick restarts, a crash loop that lasts through the reloads.
  const broken = sb.project('broken', {
    services: {
      flaky: {
        command: process.execPath,
        args: ['-e', 'console.error("boom"); setTimeout(() => process.exit(3), 20)'],
        // Started at its spawn (no start window), so each run counts as up and then crashes.
        readiness: { startWindow: 0 },
        restart: { delay: '10ms', maxDelay: '50ms', crashLoop: { count: 1000, window: '10s' } },
      },
    },
  });
  await sb.ok(['start', 'web'], { cwd: shop });
  await sb.svc(['start', 'flaky'], { cwd: broken });

  const load = startLoad(port, { connections: 20 });
  try {
    await waitUntil('the load to flow', () => load.answered() >= 100, { timeoutMs: 60_000 });
    for (const version of ['v2', 'v3']) {
      sb.project('shop', webConfig(version));
      const result = await sb.ok(['reload', 'web', '--json'], { cwd: shop });
      expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'reload', replaced: 2 });
      const after = performance.now();
      await waitUntil(`answers of ${version}`, () => load.identities(after).length >= 20, { timeoutMs: 60_000 });
    }
    const flaky = await sb.item('flaky');
    expect(flaky!.restarts).toBeGreaterThan(5);
    // A project whose config is broken now cannot be started, and nothing else notices.
    sb.writeFile(path.join('broken', 'svc.config.yaml'), 'services:\n  flaky: [\n');
    const refused = await sb.svc(['restart', 'flaky'], { cwd: broken });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not valid YAML/);
  } finally {
    await load.stop();
  }
  expect(load.failed()).toEqual([]);
  expect(load.refused()).toEqual([]);
  expect((await sb.item('web'))!.instances.map((i) => i.state)).toEqual(['running', 'running']);
  // The broken project's service is stopped from its directory although its config no longer parses.
  expect((await sb.ok(['stop', 'flaky'], { cwd: broken })).stdout).toMatch(/^flaky stopped$/m);
  await sb.ok(['stop', 'web'], { cwd: shop });
});
