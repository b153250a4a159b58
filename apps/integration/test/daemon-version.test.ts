import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { FIXTURES, REPO } from './helpers/paths.js';
import { daemonsOf, isAlive } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/**
 * @svc/supervisor as another release would install it: a copy of the built package whose
 * package.json says another version, beside the same @svc/ipc and @svc/lock.
 */
function otherRelease(root: string, version: string): string {
  const pkg = path.join(root, 'node_modules', '@svc', 'supervisor');
  mkdirSync(pkg, { recursive: true });
  for (const part of ['dist', 'bin']) cpSync(path.join(REPO, 'packages/supervisor', part), path.join(pkg, part), { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'packages/supervisor/package.json'), 'utf8')) as { version: string };
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ ...manifest, version }));
  for (const dep of ['ipc', 'lock']) symlinkSync(path.join(REPO, 'packages', dep), path.join(root, 'node_modules', '@svc', dep));
  return path.join(pkg, 'dist', 'index.js');
}

it('a CLI of another version never talks to a running daemon silently: it says what to run, and svc daemon restart moves the services over', async () => {
  const sb = createSandbox();
  const counter = path.join(FIXTURES, 'counter.mjs');
  const entry = otherRelease(path.join(sb.dir, 'old'), '0.0.1-old');
  const daemon = spawn(process.execPath, [path.join(FIXTURES, 'other-version-daemon.mjs'), entry, process.execPath, counter], {
    cwd: sb.dir,
    env: sb.env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let out = '';
  daemon.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const hello = await waitUntil('the other version to serve', () => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { pid: number; version: string }) : undefined));
  expect(hello.version).toBe('0.0.1-old');

  // status still reports (with a warning saying what to run), never as if nothing were wrong.
  const status = await sb.ok(['status']);
  expect(status.stdout).toMatch(/^legacy\s+running\s/m);
  expect(status.stderr).toMatch(/runs version 0\.0\.1-old, this svc is \d+\.\d+\.\d+.*svc daemon restart/);
  const legacyPid = (await sb.item('legacy'))!.pid!;

  // Control commands refuse, with the exact commands to run, and change nothing.
  for (const args of [['start', 'fresh', '--', process.execPath, counter], ['stop', 'legacy'], ['restart', 'legacy']]) {
    const refused = await sb.svc(args);
    expect(refused.code, args.join(' ')).toBe(1);
    expect(refused.stderr).toMatch(/the svc daemon \(pid \d+\) runs version 0\.0\.1-old, this client is .*`svc daemon restart`.*`svc daemon stop`/);
  }
  const json = await sb.svc(['stop', 'legacy', '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'EDAEMON_VERSION', daemonVersion: '0.0.1-old', fix: expect.stringContaining('svc daemon restart') } });
  expect(isAlive(legacyPid)).toBe(true);
  expect((await sb.status()).map((i) => i.name)).toEqual(['legacy']);

  // svc daemon restart: the old daemon says what it runs, stops, and this version runs it again.
  const restarted = await sb.ok(['daemon', 'restart']);
  expect(restarted.stdout).toMatch(/svc daemon \d+\.\d+\.\d+ \(pid \d+\) replaced 0\.0\.1-old \(pid \d+\): 1 service started again/);
  await waitUntil('the old daemon to exit', () => daemon.exitCode !== null);
  expect(isAlive(legacyPid)).toBe(false);
  const moved = (await sb.item('legacy'))!;
  expect(moved).toMatchObject({ state: 'running', project: 'adhoc' });
  expect(moved.pid).not.toBe(legacyPid);
  expect(daemonsOf(sb.home).map((p) => p.pid)).toEqual([moved.supervisorPid]);
  // And now every command works again.
  expect((await sb.ok(['stop', 'legacy'])).stdout).toMatch(/^legacy stopped$/m);
});
