import { expect, it } from 'vitest';
import { freePort, request, whoAnswers } from './helpers/http.js';
import { isAlive } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a service whose event loop blocks stops heartbeating and is restarted', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({
    services: {
      web: exampleService(port, {
        liveness: { heartbeatTimeout: '2s' },
        // A blocked event loop ignores SIGTERM too: after stop.timeout the group gets SIGKILL.
        stop: { timeout: '5s' },
        restart: { delay: '200ms' },
      }),
    },
  });
  await sb.ok(['start', 'web']);
  const before = (await sb.item('web'))!;
  expect(before.state).toBe('running');

  const hang = await request(`http://127.0.0.1:${port}/hang`, { method: 'POST' });
  expect(hang.status).toBe(200);
  // Hung, not dead: the process is there but answers nothing.
  await expect(request(`http://127.0.0.1:${port}/health`, { timeoutMs: 1_000 })).rejects.toThrow();
  expect(isAlive(before.pid!)).toBe(true);

  const after = await waitUntil(
    'web to be restarted after its heartbeat stopped',
    async () => {
      const item = await sb.item('web');
      return item && item.state === 'running' && item.restarts === 1 ? item : undefined;
    },
    { timeoutMs: 60_000 },
  );
  expect(after.pid).not.toBe(before.pid);
  expect(isAlive(before.pid!)).toBe(false);
  expect(after.lastExit).toMatchObject({ signal: 'SIGKILL' });
  expect(await whoAnswers(port)).toMatchObject({ pid: after.pid });

  // The supervisor's event log says why.
  const events = await sb.svc(['logs', 'web', '--events', '-n', '200']);
  expect(events.code).toBe(0);
  const parsed = events.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; check?: string });
  expect(parsed).toContainEqual(expect.objectContaining({ type: 'liveness-failed', check: 'heartbeat' }));
});
