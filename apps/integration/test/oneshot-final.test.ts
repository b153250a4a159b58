import { expect, it } from 'vitest';
import { processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a one-shot that fails (restart never) is shown crashed with its exit after the idle daemon exits, and svc stop clears it at once', async () => {
  const sb = createSandbox();
  sb.writeConfig({
    services: { once: { command: process.execPath, args: ['-e', 'console.error("import failed"); setTimeout(() => process.exit(3), 1500)'], restart: { policy: 'never' } } },
  });
  await sb.ok(['start', 'once']);
  // It ran past its start window, then exited 3: not restarted, the daemon has nothing left and exits.
  await waitUntil('the idle daemon to exit', () => processesOf(sb.home).length === 0, { timeoutMs: 20_000 });
  const item = await sb.item('once');
  expect(item).toMatchObject({ state: 'crashed', pid: null, supervisorAlive: false, lastExit: { code: 3, signal: null } });

  const begun = performance.now();
  const stopped = await sb.ok(['stop', 'once']);
  expect(stopped.stdout).toMatch(/^once was not running \(its failure is cleared\)$/m);
  // At once, not after a 30 s wait for a lock: nothing ran any more.
  expect(performance.now() - begun).toBeLessThan(15_000);
  expect(await sb.item('once')).toBeUndefined();
  await waitUntil('the daemon started to clear it to exit', () => processesOf(sb.home).length === 0, { timeoutMs: 20_000 });
});
