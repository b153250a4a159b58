import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('svc logs -n 100000 (the documented maximum) works with the daemon up: every line, in order, none cut off', async () => {
  const sb = createSandbox();
  // 120000 lines of 80 bytes: the tail is ≈ 8 MB, as large as the admin connection's write buffer.
  const script = 'for (let i = 0; i < 120000; i++) console.log("line " + i + " " + "x".repeat(60)); setInterval(() => {}, 1 << 30)';
  await sb.ok(['start', 'spew', '--', process.execPath, '-e', script]);
  await waitUntil('the last line in the log', async () => (await sb.ok(['logs', 'spew', '-n', '1'])).stdout.startsWith('line 119999 '));

  const tail = await sb.ok(['logs', 'spew', '-n', '100000']);
  const lines = tail.stdout.split('\n').slice(0, -1);
  expect(lines).toHaveLength(100000);
  expect(lines[0]).toMatch(/^line 20000 x{60}$/);
  expect(lines.at(-1)).toMatch(/^line 119999 x{60}$/);
  expect(lines.every((line, i) => line.startsWith(`line ${20000 + i} `))).toBe(true);

  const json = JSON.parse((await sb.ok(['logs', 'spew', '-n', '100000', '--json'])).stdout) as { lines: string[] };
  expect(json.lines).toHaveLength(100000);
  // The daemon is still up and serving: the stream was waited for, not cut off.
  expect((await sb.item('spew'))!.state).toBe('running');
  await sb.ok(['stop', 'spew']);
});
