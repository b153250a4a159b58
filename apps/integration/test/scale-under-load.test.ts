import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { startLoad } from './helpers/load.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('svc scale 1 → 4 → 1 under 50 keep-alive connections: 0 failed, and the new instances take new connections', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port, { listen: { port, host: '127.0.0.1' }, stop: { timeout: '20s' } }) } });
  await sb.ok(['start', 'web']);
  expect((await sb.item('web'))!.instances).toHaveLength(1);

  const load = startLoad(port, { connections: 50 });
  try {
    await waitUntil('the load to flow', () => load.answered() >= 200, { timeoutMs: 60_000 });
    const up = await sb.ok(['scale', 'web', '4', '--json']);
    const rows = JSON.parse(up.stdout) as Array<{ instance: number; state: string; pid: number }>;
    expect(rows.map((r) => [r.instance, r.state])).toEqual([
      [0, 'running'],
      [1, 'running'],
      [2, 'running'],
      [3, 'running'],
    ]);
    const item = await sb.item('web');
    expect(item!.instances.map((i) => i.state)).toEqual(['running', 'running', 'running', 'running']);
    // The table has the service's line, then one per instance with its pid.
    const table = (await sb.ok(['status'])).stdout;
    expect(table).toMatch(/^web\s+running\s/m);
    for (const i of item!.instances) expect(table).toMatch(new RegExp(`^  #${i.instance}\\s+running\\s+${i.pid}\\s`, 'm'));

    // The first load's connections stay on instance 0; a second load's new connections are
    // spread over the four by the kernel, so scaling down drains live connections.
    const spread = startLoad(port, { connections: 50 });
    try {
      const since = performance.now();
      await waitUntil('the second load to reach several instances', () => new Set(spread.identities(since).map((i) => i.pid)).size >= 2 || undefined, {
        timeoutMs: 60_000,
      });
      const before = load.answered() + spread.answered();
      await sb.ok(['scale', 'web', '1']);
      expect((await sb.item('web'))!.instances.map((i) => [i.instance, i.state])).toEqual([[0, 'running']]);
      await waitUntil('both loads to flow after scaling down', () => load.answered() + spread.answered() >= before + 200, { timeoutMs: 60_000 });
    } finally {
      await spread.stop();
    }
    expect(spread.failed()).toEqual([]);
    expect(spread.refused()).toEqual([]);
  } finally {
    await load.stop();
  }
  expect(load.failed()).toEqual([]);
  await sb.ok(['stop', 'web']);
});
