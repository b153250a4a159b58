import { expect, it } from 'vitest';
import { freePort, request, whoAnswers } from './helpers/http.js';
import { isAlive } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

const MiB = 1024 * 1024;

it('a service over its memory limit for the whole window is restarted', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({
    services: {
      web: exampleService(port, {
        limits: { memory: '200MB', window: '1s', sampleInterval: '200ms' },
        restart: { delay: '200ms' },
      }),
    },
  });
  await sb.ok(['start', 'web']);
  const before = (await sb.item('web'))!;
  // Under the limit it runs on: wait for a sample, well below 200 MB.
  const sampled = await waitUntil('a memory sample', async () => {
    const item = await sb.item('web');
    return item?.memoryBytes ? item : undefined;
  });
  expect(sampled.memoryBytes).toBeLessThan(200 * MiB);
  expect(sampled.restarts).toBe(0);

  const leak = await request(`http://127.0.0.1:${port}/leak?mb=300`, { method: 'POST', timeoutMs: 60_000 });
  expect(leak.status).toBe(200);
  expect((JSON.parse(leak.body) as { rssBytes: number }).rssBytes).toBeGreaterThan(200 * MiB);

  const after = await waitUntil(
    'web to be restarted for its memory',
    async () => {
      const item = await sb.item('web');
      return item && item.state === 'running' && item.restarts === 1 ? item : undefined;
    },
    { timeoutMs: 60_000 },
  );
  expect(after.pid).not.toBe(before.pid);
  expect(isAlive(before.pid!)).toBe(false);
  expect(await whoAnswers(port)).toMatchObject({ pid: after.pid });

  const events = await sb.svc(['logs', 'web', '--events', '-n', '200']);
  expect(events.code).toBe(0);
  const parsed = events.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; limit?: string });
  expect(parsed).toContainEqual(expect.objectContaining({ type: 'limit-exceeded', limit: 'memory' }));
});
