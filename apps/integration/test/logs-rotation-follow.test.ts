import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { FIXTURES } from './helpers/paths.js';
import { signal } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

const LINE = /^line (\d+) x{64}$/;
const MAX_SIZE = 64 * 1024;
const MAX_FILES = 3;

/** The numbers of `lines` (each must be a `line <n>` line), and where one is not one more than the one before. */
function numbered(lines: string[]): { numbers: number[]; breaks: string[] } {
  const numbers = lines.map((line) => {
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a counter line: ${JSON.stringify(line)}`);
    return Number(match[1]);
  });
  const breaks = numbers.flatMap((n, i) => (i > 0 && n !== numbers[i - 1]! + 1 ? [`output line ${i + 1}: ${numbers[i - 1]} → ${n}`] : []));
  return { numbers, breaks };
}

function consecutive(lines: string[]): number[] {
  const { numbers, breaks } = numbered(lines);
  expect(breaks, 'a missing or repeated line').toEqual([]);
  return numbers;
}

it('logs rotate at maxSize keeping maxFiles, and svc logs -f follows across rotations with no line missing or repeated', async () => {
  const sb = createSandbox();
  const CONFIG = {
    services: {
      counter: {
        command: process.execPath,
        args: [path.join(FIXTURES, 'counter.mjs')],
        // 400 lines every 10 ms (about 3 MB a second): the log rotates about 45 times a second.
        env: { COUNTER_BATCH: '400' },
        logs: { maxSize: `${MAX_SIZE / 1024}KB`, maxFiles: MAX_FILES },
      },
    },
  };
  const config = sb.writeConfig(CONFIG);
  await sb.ok(['start', 'counter']);
  // A project's logs are under its id: cfg-<the first 12 hex of the SHA-256 of the config's real path>.
  const logDir = path.join(sb.home, 'state', 'logs', `cfg-${createHash('sha256').update(config).digest('hex').slice(0, 12)}`);
  const current = path.join(logDir, 'counter.out.log');
  await waitUntil('the log to have rotated to its last kept file', () => existsSync(`${current}.${MAX_FILES}`));

  // Follow while the log rotates, until `count` lines came through; -n 20 then -f must be one
  // unbroken run: the 20 lines before the follow began, then every line after, across rotations.
  const followBreaks: string[] = [];
  const follow = async (count: number): Promise<number[]> => {
    const follower = sb.spawnSvc(['logs', 'counter', '-f', '-n', '20']);
    await waitUntil(`${count} lines through svc logs -f`, () => follower.lines().length >= count, {
      timeoutMs: 60_000,
      describe: () => `stdout tail ${JSON.stringify(follower.lines().slice(-3))}, stderr ${follower.stderr()}`,
    });
    signal(follower.child.pid!, 'SIGINT');
    const ended = await follower.exited;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toBe('');
    const { numbers, breaks } = numbered(ended.stdout.split('\n').slice(0, -1));
    followBreaks.push(...breaks.map((b) => `svc logs -f -n 20, ${b}`));
    return numbers;
  };
  // One long follow across about a dozen rotations…
  const followed = await follow(10_000);
  expect(followed.length).toBeGreaterThanOrEqual(10_000);
  // …and several short ones: the switch from the tail to the live lines happens while the log
  // is being written, each time at another point of the writer's batches.
  for (let i = 0; i < 12; i++) await follow(500);

  await sb.ok(['stop', 'counter']);

  // On disk: the current file and at most maxFiles rotated ones, none much over maxSize (a
  // file is rotated before the line that would take it over, so it holds at most maxSize),
  // and read oldest to newest they are one unbroken run that ends with the last line written.
  const files = readdirSync(logDir).filter((f) => f.startsWith('counter.out.log')).sort();
  expect(files).toEqual(['counter.out.log', ...Array.from({ length: MAX_FILES }, (_, i) => `counter.out.log.${i + 1}`)]);
  const ordered = [...Array.from({ length: MAX_FILES }, (_, i) => `${current}.${MAX_FILES - i}`), current];
  for (const file of ordered) expect(statSync(file).size).toBeLessThanOrEqual(MAX_SIZE);
  // Each line stored after the time svc received it: `<ISO time> <line>`.
  const stored = ordered.flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(0, -1));
  expect(stored.filter((line) => !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z line \d+ x{64}$/.test(line))).toEqual([]);
  const onDisk = consecutive(stored.map((line) => line.slice(line.indexOf(' ') + 1)));
  expect(onDisk.at(-1)).toBeGreaterThan(followed.at(-1)!);

  // With the daemon gone, svc logs reads the same lines from the files, across a rotation: more
  // lines than the current file holds, so that the first ones come from the last rotated file.
  const inCurrent = readFileSync(current, 'utf8').split('\n').length - 1;
  const wanted = inCurrent + 50;
  const fromFiles = await sb.ok(['logs', 'counter', '-n', String(wanted)]);
  expect(consecutive(fromFiles.stdout.split('\n').slice(0, -1))).toEqual(onDisk.slice(-wanted));

  // Checked last, so that the rotation above is checked even when following loses lines.
  expect(followBreaks, 'lines missing or repeated by svc logs -f (line 21 is the first one after the -n 20 tail)').toEqual([]);
}, 300_000);

it('svc logs -f --json prints one JSON object per line as it comes ({ service, instance, stream, time, line }), not all of them at the end', async () => {
  const sb = createSandbox();
  sb.writeConfig({ services: { ticker: { command: process.execPath, args: ['-e', 'let n = 0; setInterval(() => console.log(`tick ${++n}`), 50)'] } } });
  await sb.ok(['start', 'ticker']);
  const follower = sb.spawnSvc(['logs', 'ticker', '-f', '-n', '0', '--json']);
  // While it still runs: lines have arrived, each a JSON object with the output line.
  await waitUntil('three lines through svc logs -f --json', () => follower.lines().length >= 3, { describe: () => `stderr ${follower.stderr()}` });
  const objects = follower.lines().map((l) => JSON.parse(l) as { line: string });
  const shape = ['service', 'instance', 'stream', 'time', 'line'];
  expect(objects.slice(0, 3).map((o) => Object.keys(o))).toEqual([shape, shape, shape]);
  for (const o of objects) expect(o).toEqual({ service: 'ticker', instance: 0, stream: 'stdout', time: expect.stringMatching(/^\d{4}-\S+Z$/), line: expect.stringMatching(/^tick \d+$/) });
  signal(follower.child.pid!, 'SIGINT');
  const ended = await follower.exited;
  expect(ended.code).toBe(0);
  // Nothing more after the interrupt than the lines already streamed (no closing { lines } object).
  expect(ended.stdout.trimEnd().split('\n').every((l) => /^\{"service":"ticker","instance":0,"stream":"stdout","time":"[^"]+","line":"tick \d+"\}$/.test(l))).toBe(true);
  await sb.ok(['stop', 'ticker']);
});
