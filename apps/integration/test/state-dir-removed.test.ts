import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('the state directory removed under a running daemon: logs come back at their paths, locks are taken again, still one copy', async () => {
  const sb = createSandbox();
  const script = 'let n = 0; setInterval(() => console.log("tick " + ++n), 100)';
  const started = await sb.ok(['start', 'ticker', '--', process.execPath, '-e', script]);
  const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
  await waitUntil('a few lines', async () => (await sb.ok(['logs', 'ticker', '-n', '5'])).stdout.includes('tick 3'));

  const state = path.join(sb.home, 'state');
  rmSync(state, { recursive: true, force: true });
  // The next lines go to a log file at its path again (not to the deleted one)…
  await waitUntil('new lines in the log again', () => existsSync(path.join(state, 'logs', 'adhoc', 'ticker.out.log')), { timeoutMs: 10_000 });
  await waitUntil('svc logs to show them', async () => /^tick \d+$/m.test((await sb.ok(['logs', 'ticker', '-n', '3'])).stdout));
  // …and the locks are taken again (their heartbeat notices within 2 s).
  await waitUntil('the daemon lock to be back', () => existsSync(path.join(state, 'locks', 'svc-daemon.lock', 'holder.json')), { timeoutMs: 10_000 });
  const again = await sb.ok(['start', 'ticker', '--', process.execPath, '-e', script]);
  expect(again.stdout).toMatch(new RegExp(`^ticker is already running \\(pid ${pid}, `, 'm'));
  expect(processesOf(sb.home).filter((p) => p.cmdline.includes(script)).map((p) => p.pid)).toEqual([pid]);
  await sb.ok(['stop', 'ticker']);
  await waitUntil('nothing of this SVC_HOME to run', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
});
