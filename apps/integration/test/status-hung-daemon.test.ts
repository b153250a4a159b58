import path from 'node:path';
import { expect, it } from 'vitest';
import { FIXTURES } from './helpers/paths.js';
import { daemonsOf, signal } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';

it('a daemon that does not answer (SIGSTOP) is shown from what it last wrote, marked not live; svc stop signals it through its lock', async () => {
  const sb = createSandbox();
  await sb.ok(['start', 'tick', '--', process.execPath, path.join(FIXTURES, 'counter.mjs')]);
  const [daemon] = daemonsOf(sb.home);
  signal(daemon!.pid, 'SIGSTOP');
  try {
    const status = await sb.svc(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const [item] = JSON.parse(status.stdout) as Array<{ name: string; supervisorAlive: boolean; failure: string; supervisorPid: number }>;
    expect(item).toMatchObject({ name: 'tick', supervisorAlive: false, supervisorPid: daemon!.pid });
    expect(item!.failure).toMatch(new RegExp(`^daemon not answering \\(pid ${daemon!.pid}\\)`));
    const table = await sb.svc(['status']);
    expect(table.stderr).toMatch(/holds its lock but does not answer/);
    // stop: SIGTERM through the lock record (a stopped process keeps it pending), then SIGKILL.
    const stopped = await sb.svc(['stop', 'tick', '--timeout', '500']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/does not answer on its socket: sending/);
    expect(stopped.stderr).toMatch(/sending SIGKILL/);
    expect(daemonsOf(sb.home)).toEqual([]);
  } finally {
    signal(daemon!.pid, 'SIGCONT');
  }
});
