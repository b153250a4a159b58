import { expect, it } from 'vitest';
import { processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a service that exits at once is a failed start: svc start says so at the exit, svc status shows why with the stderr tail', async () => {
  const sb = createSandbox();
  const script = 'console.error("cannot open database /var/db/app.sqlite: EACCES"); process.exit(3)';
  sb.writeConfig({
    services: {
      broken: {
        command: process.execPath,
        args: ['-e', script],
        restart: { delay: '50ms', maxDelay: '200ms', crashLoop: { count: 3, window: '60s' } },
      },
    },
  });

  // With no readiness check, the process must stay up for the start window (1 s): an exit inside
  // it is a failed start, told by svc start at that exit, not after a crash loop in the background.
  const started = await sb.svc(['start', 'broken']);
  expect(started.code).toBe(1);
  expect(started.stderr).toMatch(/^Error: broken did not start \(failed\): exited with code 3 within its start window \(1000 ms, readiness\.startWindow\)$/m);
  expect(started.stderr).toContain('  cannot open database /var/db/app.sqlite: EACCES');

  const failed = await sb.item('broken');
  expect(failed!.state).toBe('failed');
  expect(failed!.pid).toBeNull();
  expect(failed!.restarts).toBe(0);
  expect(failed!.lastExit).toMatchObject({ code: 3, signal: null });
  expect(failed!.stderrTail).toContain('cannot open database /var/db/app.sqlite: EACCES');

  const table = await sb.svc(['status']);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/^broken\s+failed\s/m);
  expect(table.stdout).toMatch(/^broken failed: .+$/m);
  expect(table.stdout).toContain('  cannot open database /var/db/app.sqlite: EACCES');

  // Nothing keeps running for a service that gave up (its daemon had nothing else to host).
  await waitUntil('every process of the failed service and its idle daemon to be gone', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
});

it('a start that fails says so once: the reason with the last exit code, then the failed run’s stderr (its error line included), in svc start and svc status alike', async () => {
  const sb = createSandbox();
  // A Node error: 15 lines of stderr per run, the "Error: boom" line in the middle of them.
  sb.writeConfig({
    services: {
      bad: {
        command: process.execPath,
        args: ['-e', 'console.error("boom"); throw new Error("boom")'],
        readiness: { type: 'tcp', port: 9 },
        restart: { delay: '50ms', maxDelay: '100ms', crashLoop: { count: 3, window: '60s' } },
      },
    },
  });
  const started = await sb.svc(['start', 'bad']);
  expect(started.code).toBe(1);
  const [first, second] = started.stderr.split('\n');
  expect(first).toMatch(/^Error: bad did not start \(failed\): exited with code 1 before it was ready \(readiness tcp\)$/);
  expect(second).toBe("last lines of bad's stderr:");
  // Once: the tail is the failed run's (and the start ends at that run).
  expect(started.stderr.match(/^ {2}Error: boom$/gm)).toHaveLength(1);
  expect(started.stderr.match(/^ {2}boom$/gm)).toHaveLength(1);

  const table = await sb.svc(['status']);
  expect(table.stdout).toMatch(/^bad failed: exited with code 1 before it was ready/m);
  expect(table.stdout.match(/^ {2}Error: boom$/gm)).toHaveLength(1);
  await sb.svc(['stop', 'bad']);
  await waitUntil('the daemon to be gone', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
});
