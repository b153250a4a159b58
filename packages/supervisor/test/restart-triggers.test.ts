import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Service, type ServiceOptions, type SupervisorEvent } from '../src/index.js';
import { fixture, Harness, NODE, waitFor } from './helpers.js';

/*
 * A Service restarted by its files (`watch`) and by `restart.schedule`, with real processes, real
 * files and croner's real timer (a 6-field expression fires within seconds). "Exactly once" is
 * counted after a quiet period well past the debounce: no restart can still be on its way then.
 */

const h = new Harness();
const services: Service[] = [];
afterEach(async () => {
  await Promise.allSettled(services.splice(0).map((s) => s.close()));
  await h.cleanup();
});

function service(options: Partial<ServiceOptions>): { s: Service; events: SupervisorEvent[] } {
  const s = new Service({
    name: 'web',
    command: NODE,
    args: [fixture('notify.mjs')],
    logDir: join(h.tempDir(), 'logs'),
    readiness: { type: 'notify', timeout: 20_000 },
    stop: { timeout: 5_000 },
    ...options,
  });
  services.push(s);
  const events: SupervisorEvent[] = [];
  s.on('event', (e) => events.push(e));
  return { s, events };
}

const of = (events: SupervisorEvent[], type: string) => events.filter((e) => e.type === type);
const pidOf = (s: Service) => s.stats()[0]!.pid;

async function quiet(ms = 2_000): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('watch', () => {
  it('a change restarts the service once, saying which file; a burst of 200 writes is one restart; node_modules is not watched; stopped, nothing restarts it', async () => {
    const cwd = h.tempDir();
    mkdirSync(join(cwd, 'node_modules', 'dep'), { recursive: true });
    const { s, events } = service({ cwd, watch: { debounce: '300ms' } });
    await s.start();
    await waitFor(() => of(events, 'watching').length === 1, 'the watch to be ready');
    expect(of(events, 'watching')[0]).toMatchObject({ paths: ['.'], dirs: 1, debounceMs: 300 });
    const first = pidOf(s);

    writeFileSync(join(cwd, 'app.js'), 'v2');
    await waitFor(() => s.state === 'running' && pidOf(s) !== first, 'the restart');
    await quiet();
    expect(of(events, 'triggered')).toHaveLength(1);
    expect(of(events, 'triggered')[0]).toMatchObject({ by: 'watch', action: 'restart', path: 'app.js', why: 'app.js changed' });
    const second = pidOf(s);

    for (let i = 0; i < 200; i++) writeFileSync(join(cwd, `f${i % 40}.js`), String(i));
    await waitFor(() => s.state === 'running' && pidOf(s) !== second, 'the restart after the burst');
    await quiet();
    expect(of(events, 'triggered')).toHaveLength(2);
    expect(of(events, 'triggered')[1]).toMatchObject({ why: 'f0.js changed (and 39 other paths)', path: 'f0.js', paths: 40 });
    const third = pidOf(s);

    writeFileSync(join(cwd, 'node_modules', 'dep', 'index.js'), 'x');
    await quiet();
    expect(of(events, 'triggered')).toHaveLength(2);
    expect(pidOf(s)).toBe(third);

    await s.stop();
    writeFileSync(join(cwd, 'app.js'), 'v3');
    await quiet();
    expect(of(events, 'triggered')).toHaveLength(2);
    expect(s.state).toBe('stopped');
  });

  it('changes while a restart is under way make one more restart, not one per burst', async () => {
    const cwd = h.tempDir();
    // The service's stop ends only once this file exists: the test holds the first restart open.
    const release = join(h.tempDir(), 'release');
    const { s, events } = service({ cwd, args: [fixture('stop-when-released.mjs')], env: { RELEASE: release }, watch: { debounce: 100 } });
    await s.start();
    await waitFor(() => of(events, 'watching').length === 1, 'the watch to be ready');
    writeFileSync(join(cwd, 'a.js'), 'x');
    await waitFor(() => of(events, 'triggered').length === 1 && s.state === 'stopping', 'the first restart to be stopping');
    // Two more bursts, each settled, while that restart waits for its stop.
    writeFileSync(join(cwd, 'b.js'), 'x');
    await waitFor(() => of(events, 'triggered').length === 2, 'the second burst');
    writeFileSync(join(cwd, 'c.js'), 'x');
    await waitFor(() => of(events, 'triggered').length === 3, 'the third burst');
    writeFileSync(release, '');
    await waitFor(() => s.stats()[0]!.restarts === 2 && s.state === 'running', 'the restart queued behind it');
    await quiet();
    // The two bursts during the first restart shared the one restart queued behind it.
    expect(s.stats()[0]!.restarts).toBe(2);
    expect(of(events, 'triggered').map((e) => e.path)).toEqual(['a.js', 'b.js', 'c.js']);
  });

  it('with listen, a change reloads: the replacement is ready before the old instance stops, on the same port', async () => {
    const cwd = h.tempDir();
    const { s, events } = service({ cwd, args: [fixture('fd-server.mjs')], listen: { port: 0 }, watch: { paths: ['src'], debounce: 200 } });
    mkdirSync(join(cwd, 'src'));
    await s.start();
    await waitFor(() => of(events, 'watching').length === 1, 'the watch to be ready');
    const port = s.summary().listen!.port;
    const first = pidOf(s);
    writeFileSync(join(cwd, 'src', 'routes.js'), 'v2');
    await waitFor(() => of(events, 'reload-done').length === 1, 'the reload');
    expect(of(events, 'triggered')[0]).toMatchObject({ by: 'watch', action: 'reload', path: 'src/routes.js' });
    expect(of(events, 'instance-replaced')[0]).toMatchObject({ oldPid: first, pid: pidOf(s) });
    expect(s.summary().listen!.port).toBe(port);
  });

  it('a failed service is not started again by a change: the skip is in the event log', async () => {
    const cwd = h.tempDir();
    const { s, events } = service({ cwd, args: [fixture('exit-with.mjs'), '3'], readiness: { type: 'none', startWindow: '5s' }, watch: { debounce: 100 } });
    await expect(s.start()).rejects.toMatchObject({ code: 'ESTART_FAILED' });
    await waitFor(() => s.isSettled, 'the service to settle');
    writeFileSync(join(cwd, 'fix.js'), 'x');
    await waitFor(() => of(events, 'trigger-skipped').length === 1, 'the skip');
    expect(of(events, 'trigger-skipped')[0]!.because).toMatch(/web is failed, not running: svc start web starts it again/);
    expect(of(events, 'triggered')).toEqual([]);
  });
});

describe('restart.schedule', () => {
  it('restarts the service at each time of the expression, saying why; the next time is in the event', async () => {
    const { s, events } = service({ restart: { schedule: '*/2 * * * * *', timeZone: 'UTC' } });
    await s.start();
    expect(of(events, 'scheduled')[0]).toMatchObject({ schedule: '*/2 * * * * *', timeZone: 'UTC' });
    const first = pidOf(s);
    await waitFor(() => of(events, 'triggered').length >= 1 && s.state === 'running' && pidOf(s) !== first, 'a scheduled restart', 30_000);
    expect(of(events, 'triggered')[0]).toMatchObject({ by: 'schedule', action: 'restart', why: 'schedule */2 * * * * * (UTC)' });
    expect(Date.parse(of(events, 'triggered')[0]!.next as string)).toBeGreaterThan(Date.now() - 10_000);
    await s.stop();
    const fired = of(events, 'triggered').length;
    await quiet(4_500);
    expect(of(events, 'triggered')).toHaveLength(fired);
  });

  it('a time that comes while a restart is under way is skipped, and said', async () => {
    // Ignores SIGTERM: each restart waits out stop.timeout (3 s), so the next second's time finds it busy.
    const { s, events } = service({ args: [fixture('ignore-term.mjs')], stop: { timeout: 3_000 }, restart: { schedule: '* * * * * *' } });
    await s.start();
    const skippedAfterRestart = () => {
      const fired = events.findIndex((e) => e.type === 'triggered');
      return fired >= 0 ? events.slice(fired).find((e) => e.type === 'trigger-skipped') : undefined;
    };
    await waitFor(() => skippedAfterRestart() !== undefined, 'a time skipped during the scheduled restart', 30_000);
    expect(skippedAfterRestart()).toMatchObject({ by: 'schedule', why: 'schedule * * * * * *', because: 'a start, stop, restart or reload is under way' });
  });

  it('with listen, a scheduled time reloads', async () => {
    const { s, events } = service({ args: [fixture('fd-server.mjs')], listen: { port: 0 }, restart: { schedule: '*/2 * * * * *' } });
    await s.start();
    await waitFor(() => of(events, 'reload-done').length >= 1, 'a scheduled reload', 30_000);
    expect(of(events, 'triggered')[0]).toMatchObject({ by: 'schedule', action: 'reload' });
  });
});
