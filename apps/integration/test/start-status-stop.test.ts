import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { isAlive, processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';
import { readdirSync } from 'node:fs';
import path from 'node:path';

it('svc start serves the example server, svc status reports it, svc stop ends it and everything it held', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port) } });

  const started = await sb.svc(['start', 'web']);
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  expect(started.stdout).toMatch(/^web is running \(pid \d+\)$/m);

  // Ready means serving: the port answers at once, from the pid svc start printed.
  const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
  expect(await whoAnswers(port)).toMatchObject({ pid });

  const [item, ...others] = await sb.status();
  expect(others).toEqual([]);
  expect(item).toMatchObject({
    name: 'web',
    state: 'running',
    pid,
    restarts: 0,
    lastExit: null,
    supervisorAlive: true,
    failure: null,
    instances: [{ instance: 0, pid, state: 'running', restarts: 0 }],
  });
  expect(typeof item!.supervisorPid).toBe('number');
  expect(item!.supervisorPid).not.toBe(pid);
  expect(isAlive(item!.supervisorPid!)).toBe(true);
  expect(item!.uptimeMs).toBeGreaterThanOrEqual(0);
  expect(item!.project).toBe(path.join(sb.dir, 'svc.config.yaml'));

  // Memory and cpu are sampled: they appear once the first sample is in.
  const sampled = await waitUntil('memory and cpu to be sampled', async () => {
    const now = (await sb.status())[0];
    return now && now.memoryBytes !== null && now.cpuPercent !== null ? now : undefined;
  });
  expect(sampled.memoryBytes).toBeGreaterThan(1024 * 1024);
  expect(sampled.cpuPercent).toBeGreaterThanOrEqual(0);

  // The human table says the same.
  const table = await sb.svc(['status']);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/^name\s+state\s+pid\s+uptime\s+restarts\s+cpu\s+memory\s+health$/m);
  expect(table.stdout).toMatch(new RegExp(`^web\\s+running\\s+${pid}\\s`, 'm'));

  const daemonPid = item!.supervisorPid!;
  const stopped = await sb.svc(['stop', 'web']);
  expect(stopped.code).toBe(0);
  expect(stopped.stdout).toMatch(/^web stopped$/m);

  // svc stop returns once it is all over: service gone, lock released, daemon (idle) gone.
  expect(isAlive(pid)).toBe(false);
  expect(readdirSync(path.join(sb.home, 'state', 'locks')).filter((f) => f.startsWith('svc-service-'))).toEqual([]);
  await waitUntil('the idle daemon to exit', () => !isAlive(daemonPid), { timeoutMs: 10_000 });
  expect(await whoAnswers(port)).toBeNull();
  expect(await sb.status()).toEqual([]);
  expect(processesOf(sb.home)).toEqual([]);
});
