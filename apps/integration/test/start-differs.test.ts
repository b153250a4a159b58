import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

it('a repeated start with another command says so and leaves the service; --force replaces it; the caller’s secrets are never on disk', async () => {
  const sb = createSandbox();
  const idle = (tag: string) => [process.execPath, '-e', `/* ${tag} */ setInterval(() => {}, 1 << 30)`];
  const env = { API_TOKEN: 'tok-5e3b1d' };
  const first = await sb.ok(['start', 'a', '--', ...idle('one')], { env });
  const pid = Number(/pid (\d+)/.exec(first.stdout)![1]);

  const again = await sb.ok(['start', 'a', '--', ...idle('two')], { env });
  expect(again.stdout).toMatch(new RegExp(`^a is already running \\(pid ${pid}, `, 'm'));
  expect(again.stdout).toMatch(/^ {2}it runs another definition than this start gives \(args differ\): svc restart a applies a config's, svc start --force replaces it with this one$/m);
  const json = JSON.parse((await sb.ok(['start', 'a', '--json', '--', ...idle('two')], { env })).stdout) as { differs: unknown; alreadyRunning: string[] };
  expect(json).toMatchObject({ alreadyRunning: ['a'], differs: [{ service: 'a', keys: ['args'] }] });
  // The same command again: nothing to say.
  expect((await sb.ok(['start', 'a', '--', ...idle('one')], { env })).stdout).not.toMatch(/another definition/);

  const forced = await sb.ok(['start', 'a', '--force', '--', ...idle('two')], { env });
  const newPid = Number(/^a is running \(pid (\d+)\): restarted with the definition this start gave \(args differed\)$/m.exec(forced.stdout)![1]);
  expect(newPid).not.toBe(pid);
  const [described] = JSON.parse((await sb.ok(['describe', 'a', '--json'])).stdout) as Array<{ definition: { args: string[] } }>;
  expect(described!.definition.args[1]).toContain('/* two */');

  // The environment a service was started with lives in the daemon's memory and the service's,
  // not in any file of svc's.
  for (const file of filesUnder(sb.home)) expect(readFileSync(file, 'utf8'), file).not.toContain('tok-5e3b1d');
  await sb.ok(['stop', 'a']);
});

it('svc start of a config service whose config changed since it started says what differs', async () => {
  const sb = createSandbox();
  const api = (greeting: string) => ({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1 << 30)'], env: { GREETING: greeting } });
  sb.writeConfig({ services: { api: api('hello') } });
  await sb.ok(['start', 'api']);
  sb.writeConfig({ services: { api: api('bonjour') } });
  const again = await sb.ok(['start', 'api']);
  expect(again.stdout).toMatch(/^api is already running \(pid \d+, /m);
  expect(again.stdout).toMatch(/^ {2}it runs another definition than this start gives \(env differ\)/m);
  await sb.ok(['stop', 'api']);
});
