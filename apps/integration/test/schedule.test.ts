import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { createSandbox, eventsOf as events, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * `restart.schedule` with the built CLI and croner's real timer: a time a few seconds ahead (a
 * 6-field expression, in UTC), or every few seconds; no clock is faked.
 */


/** `S M H * * *`: a time `seconds` from now, in UTC, every day. */
function secondsAhead(seconds: number): string {
  const at = new Date(Date.now() + seconds * 1000);
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

const APP = "console.log(`up ${process.pid}`);\nsetInterval(() => {}, 1 << 30);\n";

it('a schedule a few seconds ahead restarts the service then, and the event log says it was the schedule', async () => {
  const sb = createSandbox();
  sb.writeFile('worker.js', APP);
  // Far enough ahead for `svc start` on a loaded machine; the wait below is longer still.
  const schedule = secondsAhead(15);
  sb.writeConfig({ services: { worker: { command: process.execPath, args: ['worker.js'], restart: { schedule, timeZone: 'UTC' } } } });
  await sb.ok(['start', 'worker']);
  const scheduled = (await events(sb, 'worker')).find((e) => e.type === 'scheduled');
  expect(scheduled).toMatchObject({ schedule, timeZone: 'UTC' });
  expect(Date.parse(scheduled!.next as string) - Date.now(), 'svc start took so long that the time had passed: the next is tomorrow').toBeLessThan(60_000);
  const first = (await sb.item('worker'))!.pid;

  await waitUntil(
    'the scheduled restart',
    async () => {
      const item = await sb.item('worker');
      return item?.state === 'running' && item.pid !== first;
    },
    { timeoutMs: 60_000 },
  );
  const fired = (await events(sb, 'worker')).filter((e) => e.type === 'triggered');
  expect(fired).toEqual([expect.objectContaining({ by: 'schedule', action: 'restart', why: `schedule ${schedule} (UTC)` })]);
  // The next time is tomorrow's.
  expect(Date.parse(fired[0]!.next as string) - Date.now()).toBeGreaterThan(20 * 3_600_000);
  expect((await sb.item('worker'))!.restarts).toBe(1);
  await sb.ok(['stop', 'worker']);
});

it('with listen, a scheduled time reloads: a replacement ready before the old instance stops, on the same port', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port, { listen: { port, host: '127.0.0.1' }, restart: { schedule: '*/5 * * * * *' }, stop: { timeout: '20s' } }) } });
  await sb.ok(['start', 'web']);
  const old = (await sb.item('web'))!.pid;
  await waitUntil('a scheduled reload', async () => (await events(sb, 'web')).some((e) => e.type === 'reload-done'), { timeoutMs: 60_000 });
  const all = await events(sb, 'web');
  expect(all.find((e) => e.type === 'triggered')).toMatchObject({ by: 'schedule', action: 'reload', why: 'schedule */5 * * * * *' });
  expect(all.find((e) => e.type === 'instance-replaced')).toMatchObject({ oldPid: old });
  // Answered by whichever instance runs now (another reload may be under way): never by nobody.
  expect(await whoAnswers(port)).not.toBeNull();
  await sb.ok(['stop', 'web']);
});

it('svc config validate refuses a bad cron expression, time zone or watch, naming the key and what was expected', async () => {
  const sb = createSandbox();
  const file = sb.writeConfig({
    services: {
      a: { command: 'node', restart: { schedule: '0 3 * *' } },
      b: { command: 'node', restart: { schedule: '61 * * * *', timeZone: 'Mars/Olympus' } },
      c: { command: 'node', restart: { timeZone: 'UTC' } },
      d: { command: 'node', watch: 'yes' },
      e: { command: 'node', watch: { paths: [], ignore: ['/var/log'], debounce: '5ms', pahts: ['src'] } },
    },
  });
  const result = await sb.svc(['config', 'validate']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`invalid config ${file}`);
  for (const line of [
    /services\.a\.restart\.schedule: expected a cron expression: 5 fields .*exactly five, six, or seven space separated parts/,
    /services\.b\.restart\.schedule: expected a cron expression: .*Invalid value for minute: 61/,
    /services\.b\.restart\.timeZone: expected an IANA time zone name/,
    /services\.c\.restart\.timeZone: expected restart\.schedule beside it/,
    /services\.d\.watch: expected true, false or an object \{ paths\?, ignore\?, debounce\? \}/,
    /services\.e\.watch\.paths: expected an array of 1-64 files or directories/,
    /services\.e\.watch\.ignore: expected a glob relative to cwd/,
    /services\.e\.watch\.debounce: expected at least 10 ms/,
    /services\.e\.watch: unknown key "pahts"/,
  ]) {
    expect(result.stderr).toMatch(line);
  }
});
