import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

it('an invalid config starts nothing: exit 1 naming the file, the key path, the bad value and what was expected', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const file = sb.writeConfig({
    services: {
      web: exampleService(port, { restart: { delay: 'soon' }, stop: { timeout: '5s', signl: 'SIGINT' } }),
    },
  });

  const human = await sb.svc(['start', 'web']);
  expect(human.code).toBe(1);
  expect(human.stdout).toBe('');
  expect(human.stderr).toContain(`invalid config ${file}`);
  expect(human.stderr).toMatch(/services\.web\.restart\.delay: expected a duration .*\(got "soon"\)/);
  expect(human.stderr).toMatch(/services\.web\.stop: unknown key "signl"/);
  expect(human.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace

  const json = await sb.svc(['start', 'web', '--json']);
  expect(json.code).toBe(1);
  const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string; file: string; problems: Array<{ path: string; message: string; value?: unknown }> } };
  expect(error.code).toBe('ECONFIG');
  expect(error.file).toBe(file);
  expect(error.message).toContain('services.web.restart.delay');
  expect(error.problems).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: 'services.web.restart.delay', value: 'soon' }),
      expect.objectContaining({ path: 'services.web.stop', message: expect.stringContaining('signl') }),
    ]),
  );

  // svc config validate says the same, and nothing was started: no process, no lock, no socket.
  // (The daemon spawned while the config was read was asked to exit before the command ended.)
  const validate = await sb.svc(['config', 'validate']);
  expect(validate.code).toBe(1);
  expect(validate.stderr).toContain('services.web.restart.delay');
  expect(processesOf(sb.home)).toEqual([]);
  const run = path.join(sb.home, 'run');
  expect(existsSync(run) ? readdirSync(run) : []).toEqual([]);
  expect(await sb.status()).toEqual([]);
});
