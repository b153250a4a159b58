import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';

const idle = { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1 << 30)'] };

it('svc start --all starts every service although one fails, reports each, and exits 1', async () => {
  const sb = createSandbox();
  sb.writeConfig({ services: { a: idle, b: { command: '/no/such/command' }, c: idle, d: { command: process.execPath, args: ['-e', 'console.error("bad config"); process.exit(78)'] } } });

  const human = await sb.svc(['start', '--all']);
  expect(human.code).toBe(1);
  expect(human.stdout).toMatch(/^a is running \(pid \d+\)$/m);
  expect(human.stdout).toMatch(/^c is running \(pid \d+\)$/m);
  const lines = human.stderr.split('\n');
  expect(lines[0]).toBe('Error: 2 of 4 services did not start: b, d');
  expect(lines).toContain('b did not start (failed): cannot spawn /no/such/command: spawn /no/such/command ENOENT');
  expect(lines).toContain('d did not start (failed): exited with code 78 within its start window (1000 ms, readiness.startWindow)');
  expect(lines).toContain('  bad config');
  const states = Object.fromEntries((await sb.status()).map((i) => [i.name, i.state]));
  expect(states).toEqual({ a: 'running', b: 'failed', c: 'running', d: 'failed' });

  // Again with --json: the two running are already running, the two failed fail again; one object.
  const json = await sb.svc(['start', 'all', '--json']);
  expect(json.code).toBe(1);
  expect(json.stderr).toBe('');
  const { error } = JSON.parse(json.stdout) as { error: { code: string; failures: Array<{ service: string; lastExit: unknown }>; alreadyRunning: string[] } };
  expect(error.code).toBe('ESTART_FAILED');
  expect(error.failures.map((f) => f.service)).toEqual(['b', 'd']);
  expect(error.failures[1]!.lastExit).toEqual({ code: 78, signal: null });
  expect(error.alreadyRunning).toEqual(['a', 'c']);

  const stopped = await sb.ok(['stop', '--all']);
  expect(stopped.stdout.split('\n').filter(Boolean).sort()).toEqual(['a stopped', 'b was not running (its failure is cleared)', 'c stopped', 'd was not running (its failure is cleared)']);
});
