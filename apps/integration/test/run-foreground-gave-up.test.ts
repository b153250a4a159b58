import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';

it('svc run whose only service gives up after a crash loop exits 1 saying why on stderr (the journal), not only in svc status', async () => {
  const sb = createSandbox();
  // Up past its start window, then a crash: three of them within the window make it give up.
  sb.writeConfig({
    services: {
      flaky: {
        command: process.execPath,
        args: ['-e', 'setTimeout(() => process.exit(3), 1200)'],
        restart: { delay: '50ms', maxDelay: '50ms', crashLoop: { count: 3, window: '60s' } },
      },
    },
  });
  const run = sb.spawnSvc(['run']);
  const ended = await run.exited;
  expect(ended.code, run.stderr()).toBe(1);
  expect(run.stderr()).toMatch(/flaky failed: crashed 3 times within 60000 ms \(restart\.crashLoop\)/);
});
