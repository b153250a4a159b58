import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './helpers/sandbox.js';

/** The variables of `names` in the environment of the service's (one) running process. */
async function envOf(sb: Sandbox, service: string, names: string[]): Promise<Record<string, string | undefined>> {
  const item = await sb.item(service);
  const vars = readFileSync(`/proc/${item!.pid}/environ`, 'utf8').split('\0');
  return Object.fromEntries(names.map((n) => [n, vars.find((v) => v.startsWith(`${n}=`))?.slice(n.length + 1)]));
}

it('restart and reload (without listen) start the service as the config file says now: env, envFile; a service added to it starts while the daemon runs', async () => {
  const sb = createSandbox();
  const e = (x: string) => ({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1 << 30)'], envFile: '.env', env: { X: x } });
  sb.writeFile('.env', 'FROM_FILE=one\n');
  sb.writeConfig({ services: { e: e('1') } });
  await sb.ok(['start', 'e']);
  expect(await envOf(sb, 'e', ['X', 'FROM_FILE'])).toEqual({ X: '1', FROM_FILE: 'one' });

  sb.writeFile('.env', 'FROM_FILE=two\n');
  sb.writeConfig({ services: { e: e('2') } });
  await sb.ok(['restart', 'e']);
  expect(await envOf(sb, 'e', ['X', 'FROM_FILE'])).toEqual({ X: '2', FROM_FILE: 'two' });

  sb.writeFile('.env', 'FROM_FILE=three\n');
  sb.writeConfig({ services: { e: e('3') } });
  const reloaded = await sb.ok(['reload', 'e']);
  expect(reloaded.stderr).toMatch(/no listen socket to hand over, so reload restarts it/);
  expect(await envOf(sb, 'e', ['X', 'FROM_FILE'])).toEqual({ X: '3', FROM_FILE: 'three' });

  sb.writeConfig({ services: { e: e('3'), added: e('new') } });
  await sb.ok(['start', 'added']);
  expect(await envOf(sb, 'added', ['X'])).toEqual({ X: 'new' });
  await sb.ok(['stop', '--all']);
});
