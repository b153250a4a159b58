import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/** 200 numbered lines of about 1 KB every 10 ms: about 20 MB/s, more than a terminal shows. */
const FLOOD = "const pad = 'x'.repeat(1000); let n = 0; setInterval(() => { for (let i = 0; i < 200; i++) console.log(`${++n} ${pad}`); }, 10)";

it('svc logs -f whose reader falls behind a busy service says how many lines it left out and goes on (it used to be cut off: "connection closed")', async () => {
  const sb = createSandbox();
  await sb.ok(['start', 'flood', '--', process.execPath, '-e', FLOOD]);
  const follow = sb.spawnSvc(['logs', 'flood', '-f']);
  await waitUntil('the first followed lines', () => follow.lines().length > 10);
  // Nobody reads its output: the pipe fills, its writes block, it stops reading the daemon.
  follow.child.stdout!.pause();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  follow.child.stdout!.resume();

  await waitUntil('the skipped lines to be told', () => /^svc logs: flood: \d+ lines? not shown: svc logs -f fell behind the output \(they are in the log files\)$/m.test(follow.stderr()));
  const seen = follow.lines().length;
  await waitUntil('lines after the gap', () => follow.lines().length > seen + 100);
  expect(follow.child.exitCode).toBeNull();
  expect(follow.stderr()).not.toMatch(/connection closed/i);
  follow.child.kill('SIGINT');
  expect((await follow.exited).code).toBe(0);
  await sb.ok(['stop', 'flood']);
});
