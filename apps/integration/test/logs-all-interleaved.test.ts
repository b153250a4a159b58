import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { signal } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { timelineProject } from './helpers/timeline.js';
import { waitUntil } from './helpers/wait.js';

const STEPS = 'a:out,b:err,c:out,a:err,b:out,c:err,a:out,b:out';
/** What `svc logs` prints of the timeline: the services in the order svc received their lines, stderr marked. */
const ALL = [
  'a     | step 1 a out',
  'b err | step 2 b err',
  'c     | step 3 c out',
  'a err | step 4 a err',
  'b     | step 5 b out',
  'c err | step 6 c err',
  'a     | step 7 a out',
  'b     | step 8 b out',
];
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*)$/;

const lines = (stdout: string) => stdout.split('\n').slice(0, -1);

it('svc logs without a name: every service of the project interleaved in the order svc received the lines, stderr marked; -n, --since, --grep, --timestamps, --json, -f; the same from the files once stopped', async () => {
  const sb = createSandbox();
  const timeline = timelineProject(sb, ['a', 'b', 'c'], STEPS);
  await sb.ok(['start', '--all']);
  await waitUntil('the eight steps in svc logs', async () => lines((await sb.ok(['logs'])).stdout).length === 8, { describe: async () => (await sb.svc(['logs'])).stdout });

  // What the running services printed, asked of the daemon.
  const running = async () => ({
    plain: lines((await sb.ok(['logs'])).stdout),
    last3: lines((await sb.ok(['logs', '-n', '3'])).stdout),
    timestamps: lines((await sb.ok(['logs', '--timestamps'])).stdout),
    grep: lines((await sb.ok(['logs', '--grep', 'step [246] '])).stdout),
    stderr: lines((await sb.ok(['logs', '--stderr'])).stdout),
    one: lines((await sb.ok(['logs', 'b'])).stdout),
    json: JSON.parse((await sb.ok(['logs', '--json'])).stdout) as { lines: string[]; entries: Array<Record<string, unknown>> },
  });
  const seen = await running();
  expect(seen.plain).toEqual(ALL);
  expect(seen.last3).toEqual(ALL.slice(-3));
  // --timestamps: the time svc received each line, first; here strictly increasing, as the steps were.
  const stamped = seen.timestamps.map((l) => ISO.exec(l)!);
  expect(stamped.map((m) => m[2])).toEqual(ALL);
  const times = stamped.map((m) => m[1]!);
  expect(times.every((t, i) => i === 0 || Date.parse(t) > Date.parse(times[i - 1]!))).toBe(true);
  expect(seen.grep).toEqual([ALL[1], ALL[3], ALL[5]]);
  // One stream: no mark needed.
  expect(seen.stderr).toEqual(['b | step 2 b err', 'a | step 4 a err', 'c | step 6 c err']);
  // A name: that service alone, as before, but with both streams (stderr marked).
  expect(seen.one).toEqual(['err | step 2 b err', 'step 5 b out', 'step 8 b out']);
  // --json: each line an object { service, stream, time, line }; `lines` keeps the texts.
  expect(seen.json.lines).toEqual(ALL.map((l) => l.slice(8)));
  expect(seen.json.entries).toEqual(
    ALL.map((l, i) => ({ service: l[0], stream: l.includes(' err |') ? 'stderr' : 'stdout', time: times[i], line: l.slice(8) })),
  );
  // --since: a time (the fourth step's: it and what came after), or a duration back from now.
  expect(lines((await sb.ok(['logs', '--since', times[3]!])).stdout)).toEqual(ALL.slice(3));
  expect(lines((await sb.ok(['logs', '--since', '1h'])).stdout)).toEqual(ALL);
  expect(lines((await sb.ok(['logs', '--since', '1h', '--grep', ' a ', '-n', '2'])).stdout)).toEqual([ALL[3], ALL[6]]);

  // -f: the last lines, then what two services print next, each as it comes, with its name.
  const follower = sb.spawnSvc(['logs', '-f', '-n', '2']);
  await waitUntil('the tail in svc logs -f', () => follower.lines().length >= 2, { describe: () => follower.stderr() });
  timeline.say('a', 'out', 'live from a');
  await waitUntil("a's line in svc logs -f", () => follower.lines().length >= 3, { describe: () => follower.stderr() });
  timeline.say('b', 'err', 'live from b');
  await waitUntil("b's line in svc logs -f", () => follower.lines().length >= 4, { describe: () => follower.stderr() });
  signal(follower.child.pid!, 'SIGINT');
  const followed = await follower.exited;
  expect(followed.code).toBe(0);
  expect(followed.stderr).toBe('');
  expect(lines(followed.stdout)).toEqual([...ALL.slice(-2), 'a     | live from a', 'b err | live from b']);
  // -f --json: one object per line as it comes, with its instance.
  const jsonFollower = sb.spawnSvc(['logs', '-f', '-n', '1', '--json']);
  await waitUntil('the tail in svc logs -f --json', () => jsonFollower.lines().length >= 1, { describe: () => jsonFollower.stderr() });
  timeline.say('c', 'err', 'live from c');
  await waitUntil("c's line in svc logs -f --json", () => jsonFollower.lines().length >= 2, { describe: () => jsonFollower.stderr() });
  signal(jsonFollower.child.pid!, 'SIGINT');
  const objects = lines((await jsonFollower.exited).stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(objects).toEqual([
    { service: 'b', instance: 0, stream: 'stderr', time: expect.stringMatching(/Z$/), line: 'live from b' },
    { service: 'c', instance: 0, stream: 'stderr', time: expect.stringMatching(/Z$/), line: 'live from c' },
  ]);

  // From the files once the services are stopped (no daemon): the same lines, the same times.
  const before = await running();
  await sb.ok(['stop', '--all']);
  expect(await running()).toEqual(before);
  expect(before.plain).toEqual([...ALL, 'a     | live from a', 'b err | live from b', 'c err | live from c']);

  // A line stored before svc kept times reads as it is, first, with no time; --since leaves it out.
  const aOut = path.join(timeline.logDir, 'a.out.log');
  writeFileSync(aOut, `an old line\n${readFileSync(aOut, 'utf8')}`);
  expect(lines((await sb.ok(['logs', '-n', '2', '--timestamps', '--stdout'])).stdout).map((l) => l.replace(/^\S+Z /, '<time> '))).toEqual([
    '<time> b | step 8 b out',
    '<time> a | live from a',
  ]);
  expect(lines((await sb.ok(['logs', '-n', '100'])).stdout)[0]).toBe('a     | an old line');
  expect(lines((await sb.ok(['logs', 'a', '-n', '100', '--timestamps'])).stdout)[0]).toMatch(/^- {23} an old line$/);
  expect(lines((await sb.ok(['logs', '--since', '1d', '-n', '100'])).stdout)).not.toContain('a     | an old line');
}, 180_000);
