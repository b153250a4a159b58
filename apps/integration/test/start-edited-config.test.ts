import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';

it('svc start on a running daemon: starts at once while the config is the one it validated, and validates an edited one first', async () => {
  const sb = createSandbox();
  const [webPort, apiPort] = [await freePort(), await freePort()];
  const config = { services: { web: exampleService(webPort), api: exampleService(apiPort) } };
  sb.writeConfig(config);
  // A name the config does not have: EUSAGE (bad usage, exit 2), and the daemon spawned while
  // the config was read has exited by the time the command ends.
  const unknown = await sb.svc(['start', 'nope']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('no service "nope"');
  expect(processesOf(sb.home)).toEqual([]);

  await sb.ok(['start', 'web']);

  // The daemon runs and the file is unchanged: api starts, with the command's usual words.
  const api = await sb.ok(['start', 'api']);
  expect(api.stdout).toMatch(/^api is running \(pid \d+\)$/m);
  const again = await sb.ok(['start', 'api']);
  expect(again.stdout).toMatch(/^api is already running \(pid \d+, up \d+s\)$/m);
  await sb.ok(['stop', 'api']);
  expect(await whoAnswers(apiPort)).toBeNull();

  // The file is edited into an invalid one: nothing starts, and the key is named, although the
  // daemon still holds the old (valid) definitions.
  const file = sb.writeConfig({ services: { ...config.services, api: { ...config.services.api, stop: { timeout: 'later' } } } });
  const refused = await sb.svc(['start', 'api']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`invalid config ${file}`);
  expect(refused.stderr).toMatch(/services\.api\.stop\.timeout/);
  expect(await whoAnswers(apiPort)).toBeNull();
  expect((await sb.item('api'))?.state).not.toBe('running');

  // Made valid again (other bytes than the daemon's): validated by the command, then started.
  sb.writeConfig({ services: { ...config.services, api: { ...config.services.api, stop: { timeout: '9s' } } } });
  const restarted = await sb.ok(['start', 'api']);
  expect(restarted.stdout).toMatch(/^api is running \(pid \d+\)$/m);
  expect(await whoAnswers(apiPort)).not.toBeNull();

  // stop --all with the last-listed service already stopped: the daemon exits after the first
  // stop, and nothing is asked of it afterwards.
  await sb.ok(['stop', 'api']);
  const all = await sb.ok(['stop', '--all']);
  expect(all.stdout).toMatch(/^web stopped$/m);
  expect(await whoAnswers(webPort)).toBeNull();
});
