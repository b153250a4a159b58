import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { signal } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { timelineProject } from './helpers/timeline.js';
import { waitUntil } from './helpers/wait.js';

const lines = (stdout: string) => stdout.split('\n').slice(0, -1);

it('svc logs --flush empties the logs while the services run: the old lines are gone, new ones appear, a follower keeps following', async () => {
  const sb = createSandbox();
  const timeline = timelineProject(sb, ['a', 'b'], 'a:out,b:err,a:err,b:out');
  await sb.ok(['start', '--all']);
  await waitUntil('the four steps in svc logs', async () => lines((await sb.ok(['logs'])).stdout).length === 4);

  // Following once its tail is there: what is said next reaches it live.
  const follower = sb.spawnSvc(['logs', '-f', '-n', '1']);
  await waitUntil('the tail in svc logs -f', () => follower.lines().length >= 1, { describe: () => follower.stderr() });
  timeline.say('a', 'out', 'before the flush');
  await waitUntil('the line in svc logs -f', () => follower.lines().length >= 2, { describe: () => follower.stderr() });

  const flushed = await sb.ok(['logs', '--flush']);
  expect(lines(flushed.stdout)).toEqual([expect.stringMatching(/^a: flushed \d+ B \(a\.out\.log and a\.err\.log\)$/), expect.stringMatching(/^b: flushed \d+ B \(b\.out\.log and b\.err\.log\)$/)]);
  for (const file of ['a.out.log', 'a.err.log', 'b.out.log', 'b.err.log']) expect(statSync(path.join(timeline.logDir, file)).size).toBe(0);
  expect((await sb.ok(['logs'])).stdout).toBe('');

  timeline.say('b', 'err', 'after the flush');
  await waitUntil('the new line in svc logs', async () => (await sb.ok(['logs'])).stdout === 'b err | after the flush\n');
  await waitUntil('the new line in svc logs -f', () => follower.lines().length >= 3, { describe: () => follower.stderr() });
  signal(follower.child.pid!, 'SIGINT');
  const followed = await follower.exited;
  expect(followed.code).toBe(0);
  expect(lines(followed.stdout)).toEqual(['b     | step 4 b out', 'a     | before the flush', 'b err | after the flush']);

  // A follow begun after the flush starts from what came after it: nothing of before.
  const late = sb.spawnSvc(['logs', '-f', '-n', '100']);
  await waitUntil('the tail of svc logs -f', () => late.lines().length >= 1, { describe: () => late.stderr() });
  timeline.say('a', 'out', 'later still');
  await waitUntil('the next line of svc logs -f', () => late.lines().length >= 2, { describe: () => late.stderr() });
  signal(late.child.pid!, 'SIGINT');
  expect(lines((await late.exited).stdout)).toEqual(['b err | after the flush', 'a     | later still']);

  // One service, one stream; --json says what it emptied.
  const one = JSON.parse((await sb.ok(['logs', 'b', '--stderr', '--flush', '--json'])).stdout) as { flushed: Array<{ service: string; files: string[]; bytes: number }> };
  expect(one).toEqual({ flushed: [{ service: 'b', files: [path.join(timeline.logDir, 'b.err.log')], bytes: expect.any(Number) }] });
  expect(one.flushed[0]!.bytes).toBeGreaterThan(0);
  expect((await sb.ok(['logs'])).stdout).toBe('a     | later still\n');

  // With the services stopped (no daemon), from the files themselves.
  await sb.ok(['stop', '--all']);
  expect(lines((await sb.ok(['logs', '--flush'])).stdout)).toEqual([expect.stringMatching(/^a: flushed \d+ B \(a\.out\.log and a\.err\.log\)$/), 'b: flushed 0 B (b.out.log and b.err.log)']);
  expect((await sb.ok(['logs'])).stdout).toBe('');
  // The event log is kept.
  expect(existsSync(path.join(timeline.logDir, 'a.events.jsonl'))).toBe(true);
  expect((await sb.ok(['logs', 'a', '--events'])).stdout).toContain('"type":"spawned"');
}, 180_000);
