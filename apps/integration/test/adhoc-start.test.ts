import { expect, it } from 'vitest';
import { freePort, request, whoAnswers } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { isAlive, processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('svc start <name> -- <command> runs a command with no config file, in the caller’s environment', async () => {
  const sb = createSandbox();
  const port = await freePort();
  // No config anywhere: the project directory is empty (and /tmp has none above it).
  const env = { PORT: String(port), VERSION: `adhoc-${process.pid}`, SVC_EXAMPLE_TEST_ROUTES: '1' };

  const started = await sb.svc(['start', 'api', '--', process.execPath, EXAMPLE_SERVER], { env });
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  const pid = Number(/^api is running \(pid (\d+)\)$/m.exec(started.stdout)![1]);

  // It sees the caller's environment: the port, the version and the test-route switch. (With no
  // readiness check, "running" means it stayed up for its start window: wait for the port.)
  const answer = await waitUntil('the ad-hoc server to answer', () => whoAnswers(port));
  expect(answer).toMatchObject({ pid, version: `adhoc-${process.pid}` });
  const version = await request(`http://127.0.0.1:${port}/version`);
  expect(JSON.parse(version.body)).toEqual({ version: `adhoc-${process.pid}` });

  const [item, ...rest] = await sb.status();
  expect(rest).toEqual([]);
  expect(item).toMatchObject({ name: 'api', state: 'running', pid, project: 'adhoc', supervisorAlive: true });

  // Started again with the command: already running, nothing new.
  const again = await sb.svc(['start', 'api', '--', process.execPath, EXAMPLE_SERVER], { env });
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(new RegExp(`^api is already running \\(pid ${pid}, `, 'm'));
  expect(processesOf(sb.home).filter((p) => p.cmdline.includes(EXAMPLE_SERVER)).map((p) => p.pid)).toEqual([pid]);

  const stopped = await sb.svc(['stop', 'api']);
  expect(stopped.code).toBe(0);
  expect(stopped.stdout).toMatch(/^api stopped$/m);
  expect(isAlive(pid)).toBe(false);
  expect(await whoAnswers(port)).toBeNull();
});
