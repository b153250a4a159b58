import { expect, it } from 'vitest';
import { processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a service that exits at once gives up as failed, and svc status shows why with the stderr tail', async () => {
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

  // With no readiness check a service is ready as soon as it is spawned, so svc start may see it
  // running before its first exit (exit 0) or may already see it fail (exit 1): both are right.
  const started = await sb.svc(['start', 'broken']);
  expect(started.code === 0 ? started.stdout : started.stderr).toMatch(/^broken is running \(pid \d+\)$|broken did not start/m);

  const failed = await waitUntil('broken to be failed', async () => {
    const item = await sb.item('broken');
    return item?.state === 'failed' ? item : undefined;
  });
  expect(failed.pid).toBeNull();
  expect(failed.failure).toMatch(/crash|loop|gave up|restart/i);
  expect(failed.lastExit).toMatchObject({ code: 3, signal: null });
  expect(failed.stderrTail).toContain('cannot open database /var/db/app.sqlite: EACCES');

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
  expect(first).toMatch(/^Error: bad did not start \(failed\): failed to start 3 times within 60000 ms \(restart\.crashLoop\); last exit: code 1$/);
  expect(second).toBe("last lines of bad's stderr:");
  // Once: the tail is the failed run's, not the three runs' lines one after another.
  expect(started.stderr.match(/^ {2}Error: boom$/gm)).toHaveLength(1);
  expect(started.stderr.match(/^ {2}boom$/gm)).toHaveLength(1);

  const table = await sb.svc(['status']);
  expect(table.stdout).toMatch(/^bad failed: failed to start 3 times/m);
  expect(table.stdout.match(/^ {2}Error: boom$/gm)).toHaveLength(1);
  await sb.svc(['stop', 'bad']);
  await waitUntil('the daemon to be gone', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
});
