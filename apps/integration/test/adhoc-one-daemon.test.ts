import path from 'node:path';
import { expect, it } from 'vitest';
import { FIXTURES } from './helpers/paths.js';
import { daemonsOf, describe, isAlive, processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

const COUNTER = path.join(FIXTURES, 'counter.mjs');

it('five ad-hoc services run under one daemon, and every command works on them in a directory with no config', async () => {
  const sb = createSandbox();
  // The project directory has no config, nor has any directory above it (a temp dir).
  const names = ['w1', 'w2', 'w3', 'w4', 'w5'];
  for (const name of names) await sb.ok(['start', name, '--', process.execPath, COUNTER]);

  // One daemon for all five (it used to be one Node daemon per ad-hoc service).
  const daemons = daemonsOf(sb.home);
  expect(daemons, describe(processesOf(sb.home))).toHaveLength(1);
  const items = await sb.status();
  expect(items.map((i) => [i.name, i.project, i.state])).toEqual(names.map((n) => [n, 'adhoc', 'running']));
  expect(new Set(items.map((i) => i.supervisorPid))).toEqual(new Set([daemons[0]!.pid]));

  // logs, restart and stop --all find them here, with no config (they used to say "no svc config found").
  const logs = await waitUntil('lines in w1', async () => {
    const result = await sb.ok(['logs', 'w1', '-n', '3']);
    return result.stdout.trim().split('\n').length === 3 ? result : undefined;
  });
  expect(logs.stdout).toMatch(/^line \d+ x+$/m);
  const before = (await sb.item('w1'))!.pid!;
  const restarted = await sb.ok(['restart', 'w1']);
  expect(restarted.stdout).toMatch(/^w1 restarted \(pid \d+\)$/m);
  const after = (await sb.item('w1'))!;
  expect(after).toMatchObject({ state: 'running', restarts: 1 });
  expect(after.pid).not.toBe(before);
  expect(isAlive(before)).toBe(false);

  const stopped = await sb.ok(['stop', '--all']);
  for (const name of names) expect(stopped.stdout).toMatch(new RegExp(`^${name} stopped$`, 'm'));
  await waitUntil('nothing of this SVC_HOME to run', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000, describe: () => describe(processesOf(sb.home)) });
  expect(await sb.status()).toEqual([]);
});

it('an ad-hoc service that cannot start is shown failed until svc stop clears it', async () => {
  const sb = createSandbox();
  const failed = await sb.svc(['start', 'nope', '--', '/no/such/command']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/^Error: nope did not start \(failed\): cannot spawn .*ENOENT$/m);
  const [item, ...rest] = await sb.status();
  expect(rest).toEqual([]);
  expect(item).toMatchObject({ name: 'nope', project: 'adhoc', state: 'failed', pid: null });
  // Its daemon had nothing else to run: it exited, and status reads what it left.
  await waitUntil('the idle daemon to exit', () => daemonsOf(sb.home).length === 0, { timeoutMs: 15_000 });
  expect((await sb.item('nope'))?.state).toBe('failed');

  const cleared = await sb.ok(['stop', 'nope']);
  expect(cleared.stdout).toMatch(/^nope was not running \(its failure is cleared\)$/m);
  expect(await sb.status()).toEqual([]);
  await waitUntil('nothing of this SVC_HOME to run', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
  // Cleared means gone: a second stop has nothing to clear.
  expect((await sb.ok(['stop', 'nope'])).stdout).toMatch(/^nope was not running$/m);
});
