import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createSandbox, eventsOf as events, type Sandbox, type SvcEvent as Event } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * `watch` is for development: the daemon a unit runs (`svc daemon run --service …`, what `svc
 * install` writes) and `svc run` leave it off unless asked (`--watch`). Run here in the foreground,
 * as the unit runs it; the unit's text is `svc install --dry-run`'s. No change may restart a service
 * that does not watch: that is checked after a quiet period well past the debounce (300 ms).
 */


const APP = "console.log(`up ${process.pid}`);\nsetInterval(() => {}, 1 << 30);\n";

function watchedProject(): { sb: Sandbox; config: string } {
  const sb = createSandbox();
  sb.writeFile('server.js', APP);
  const config = sb.writeConfig({ services: { api: { command: process.execPath, args: ['server.js'], watch: { debounce: '300ms' } } } });
  return { sb, config };
}

/**
 * Runs `args` in the foreground until `api` runs, changes server.js, and says whether that
 * restarted `api` (`watches`: whether it should, so that the wait is for the restart or for a
 * quiet period); then SIGTERM, and the run must end cleanly.
 */
async function changeUnder(sb: Sandbox, args: string[], watches: boolean, shellRestart = false): Promise<{ restarted: boolean; events: Event[]; stdout: string[] }> {
  // The event log of the runs before this one (none yet: no log to read).
  const before = await events(sb, 'api').then((all) => all.length, () => 0);
  const run = sb.spawnSvc(args);
  await waitUntil('api to run', async () => (await sb.item('api'))?.state === 'running', { describe: () => `stdout ${run.lines().join(' | ')} stderr ${run.stderr()}` });
  let pid = (await sb.item('api'))!.pid;
  if (shellRestart) {
    // `svc restart api` from a shell sends the config as written, `watch` included.
    await sb.ok(['restart', 'api']);
    pid = (await sb.item('api'))!.pid;
  }
  const ours = async () => (await events(sb, 'api')).slice(before);
  if (watches) await waitUntil('the watch', async () => (await ours()).some((e) => e.type === 'watching'));
  writeFileSync(path.join(sb.dir, 'server.js'), `${APP}// edited ${args.join(' ')}\n`);
  if (watches) await waitUntil('the restart', async () => (await sb.item('api'))?.pid !== pid && (await sb.item('api'))?.state === 'running');
  else await new Promise((resolve) => setTimeout(resolve, 3_000));
  const result = { restarted: (await sb.item('api'))!.pid !== pid, events: await ours(), stdout: run.lines() };
  run.child.kill('SIGTERM');
  const ended = await run.exited;
  expect(ended.code, ended.stderr).toBe(0);
  return result;
}

it('svc run leaves watch off unless --watch, and says so', async () => {
  const { sb } = watchedProject();
  const off = await changeUnder(sb, ['run'], false);
  expect(off.stdout).toContain('watch is off under svc run for api (svc run --watch turns it on)');
  expect(off.restarted).toBe(false);
  expect(off.events.filter((e) => ['watching', 'triggered'].includes(e.type))).toEqual([]);

  const on = await changeUnder(sb, ['run', '--watch'], true);
  expect(on.restarted).toBe(true);
  expect(on.events.filter((e) => e.type === 'triggered')).toEqual([expect.objectContaining({ by: 'watch', path: 'server.js' })]);
});

it('what svc install writes runs the service without its watch; svc install --watch lists it under --watch, and then it watches', async () => {
  const { sb, config } = watchedProject();
  const unitOf = async (args: string[]) => {
    const result = await sb.ok(['install', 'api', '--dry-run', '--json', ...args]);
    const outcome = JSON.parse(result.stdout) as { installed: Array<Record<string, unknown>>; unit: { files: Array<{ content: string }> } };
    return { installed: outcome.installed, execStart: /^ExecStart=.*$/m.exec(outcome.unit.files[0]!.content)![0] };
  };
  const plain = await unitOf([]);
  expect(plain.installed).toEqual([{ config, service: 'api', enabled: true }]);
  expect(plain.execStart).toContain(`"daemon" "run" "--service" "api@${config}"`);
  expect(plain.execStart).not.toContain('--watch');
  const watched = await unitOf(['--watch']);
  expect(watched.installed).toEqual([{ config, service: 'api', enabled: true, watch: true }]);
  expect(watched.execStart).toContain(`"--service" "api@${config}" "--watch" "api@${config}"`);

  // The unit's command, in the foreground: as written without --watch, then with it.
  const off = await changeUnder(sb, ['daemon', 'run', '--service', `api@${config}`], false);
  expect(off.restarted).toBe(false);
  expect(off.events.filter((e) => ['watching', 'triggered'].includes(e.type))).toEqual([]);
  // Nor after a `svc restart` from a shell, which sends the config's `watch: true`: the unit's daemon leaves it off.
  const restarted = await changeUnder(sb, ['daemon', 'run', '--service', `api@${config}`], false, true);
  expect(restarted.restarted).toBe(false);
  expect(restarted.events.filter((e) => ['watching', 'triggered'].includes(e.type))).toEqual([]);
  const on = await changeUnder(sb, ['daemon', 'run', '--service', `api@${config}`, '--watch', `api@${config}`], true);
  expect(on.restarted).toBe(true);
  expect(on.events.filter((e) => e.type === 'triggered')).toEqual([expect.objectContaining({ by: 'watch', path: 'server.js' })]);
});
