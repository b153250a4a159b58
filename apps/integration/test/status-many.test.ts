import { expect, it } from 'vitest';
import { processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('200 services: svc start --all, svc status --json answers for all of them with the daemon up, svc stop --all stops all', async () => {
  const sb = createSandbox();
  const services: Record<string, unknown> = {};
  // sleep is cheap to run 200 times; no start window, so --all does not wait 200 s.
  for (let i = 0; i < 200; i++) services[`s${i}`] = { command: 'sleep', args: ['1000'], readiness: { startWindow: 0 } };
  sb.writeConfig({ services });
  await sb.ok(['start', '--all'], { timeoutMs: 120_000 });
  const items = await sb.status();
  expect(items).toHaveLength(200);
  expect(items.every((i) => i.state === 'running' && i.supervisorAlive && typeof i.pid === 'number')).toBe(true);
  expect(new Set(items.map((i) => i.pid)).size).toBe(200);
  const stopped = await sb.ok(['stop', '--all'], { timeoutMs: 120_000 });
  expect(stopped.stdout.split('\n').filter((l) => / stopped$/.test(l))).toHaveLength(200);
  await waitUntil('nothing of this SVC_HOME to run', () => processesOf(sb.home).length === 0, { timeoutMs: 20_000 });
});
