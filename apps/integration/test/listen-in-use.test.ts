import net from 'node:net';
import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('a listen port already in use: svc start fails at once, svc status shows the service failed with why, svc stop clears it, nothing is left', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  try {
    sb.writeConfig({ services: { p: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1 << 30)'], listen: { port } } } });
    const started = await sb.svc(['start', 'p']);
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(new RegExp(`^Error: service p cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`, 'm'));
    // The daemon had nothing to run and is gone; what it kept says what happened.
    await waitUntil('the idle daemon to exit', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
    expect(await sb.item('p')).toMatchObject({ state: 'failed', pid: null, failure: expect.stringContaining('EADDRINUSE') });
    expect((await sb.ok(['status'])).stdout).toMatch(/^p failed: service p cannot listen on .*EADDRINUSE/m);
    expect((await sb.ok(['stop', 'p'])).stdout).toMatch(/^p was not running \(its failure is cleared\)$/m);
    expect(await sb.item('p')).toBeUndefined();
  } finally {
    holder.close();
  }
});
