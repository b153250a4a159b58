import { createServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSupervisorError, type SupervisorEvent } from '../src/index.js';
import { Harness, fixture, procState, recordEvents, waitFor, waitForEvent } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

const spawns = (events: SupervisorEvent[]) => events.filter((e) => e.type === 'spawned');

describe('Supervisor: restarts', () => {
  it('restarts a crashed service after the configured delay', async () => {
    const sup = h.supervisor({
      args: [fixture('exit-with.mjs'), '1', '200'],
      readiness: { startWindow: 0 },
      restart: { delay: 700, jitter: 0, crashLoop: { count: 100, window: '1m' } },
    });
    const events = recordEvents(sup);
    const exitedAt: number[] = [];
    const spawnedAt: number[] = [];
    sup.on('event', (e) => (e.type === 'exited' ? exitedAt : e.type === 'spawned' ? spawnedAt : []).push(performance.now()));
    await sup.start();
    await waitFor(() => spawns(events).length >= 2, 'the restart');
    expect(events.find((e) => e.type === 'restarting')).toMatchObject({ delayMs: 700, attempt: 1, reason: 'exit-code' });
    expect(spawnedAt[1]! - exitedAt[0]!).toBeGreaterThanOrEqual(690);
    expect(sup.stats()).toMatchObject({ crashes: expect.any(Number), restarts: 1 });
    expect(sup.stats().lastExit).toMatchObject({ code: 1, signal: null, reason: 'exit-code', phase: 'run' });
  });

  it('crash loop: exactly `count` spawns, then failed with the last stderr lines, and no spawn after', async () => {
    const sup = h.supervisor({
      args: [fixture('exit-with.mjs'), '2', '50'],
      readiness: { startWindow: 0 },
      restart: { delay: 10, jitter: 0, crashLoop: { count: 4, window: '1m' } },
    });
    const events = recordEvents(sup);
    await sup.start();
    await waitFor(() => sup.state === 'failed', 'failed');
    expect(spawns(events)).toHaveLength(4);
    const gaveUp = events.find((e) => e.type === 'gave-up')!;
    expect(gaveUp.kind).toBe('crash-loop');
    expect(gaveUp.stderrTail).toContain('about to exit 2');
    // "No spawn for a long while": far longer than the whole loop took, still 4.
    const before = events.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(spawns(events)).toHaveLength(4);
    expect(events.slice(before).some((e) => e.type === 'spawned')).toBe(false);
    expect(sup.stats().failure).toMatch(/4 times within 60000 ms/);
  });

  it('grows the delay between crashes by the factor (backoff in a real loop)', async () => {
    const sup = h.supervisor({
      args: [fixture('exit-with.mjs'), '1', '0'],
      readiness: { startWindow: 0 },
      restart: { delay: 50, factor: 2, maxDelay: 300, jitter: 0, crashLoop: { count: 6, window: '1m' } },
    });
    const events = recordEvents(sup);
    await sup.start().catch(() => undefined);
    await waitFor(() => sup.state === 'failed', 'failed');
    expect(events.filter((e) => e.type === 'restarting').map((e) => e.delayMs)).toEqual([50, 100, 200, 300, 300]);
  });

  it('a start that is never ready is a failed start, distinct from a crash, answered at its first timeout', async () => {
    const sup = h.supervisor({
      args: [fixture('never-ready.mjs')],
      readiness: { type: 'notify', timeout: 800 },
      restart: { delay: 0, crashLoop: { count: 5, window: '1m' } },
    });
    const events = recordEvents(sup);
    const error = await sup.start().then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESTART_FAILED', reason: 'not ready within 800 ms (readiness.timeout)' });
    expect(sup.state).toBe('failed');
    expect(spawns(events)).toHaveLength(1);
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ reason: 'start-timeout', phase: 'start' });
    expect(sup.stats()).toMatchObject({ startFailures: 1, crashes: 0 });
  });

  it('restarts nobody waits for go through backoff and the crash loop; their failed starts are counted', async () => {
    // Run 1 becomes ready and crashes after 300 ms; every later run exits before it is ready.
    const dir = h.tempDir();
    const counter = join(dir, 'runs');
    writeFileSync(counter, '0');
    const port = await freePort();
    const script = `const fs = require('node:fs'); const n = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1; fs.writeFileSync(${JSON.stringify(counter)}, String(n)); console.error('run ' + n);
      if (n === 1) { require('node:net').createServer().listen(${port}, '127.0.0.1'); setTimeout(() => process.exit(1), 300); } else process.exit(1);`;
    const sup = h.supervisor({ args: ['-e', script], readiness: { type: 'tcp', port }, restart: { delay: 0, jitter: 0, crashLoop: { count: 3, window: '60s' } } });
    const events = recordEvents(sup);
    await sup.start();
    await waitFor(() => sup.state === 'failed', 'the crash loop to give up');
    expect(spawns(events)).toHaveLength(3);
    expect(events.filter((e) => e.type === 'exited').map((e) => e.phase)).toEqual(['run', 'start', 'start']);
    expect(sup.stats()).toMatchObject({ crashes: 1, startFailures: 2 });
    // The tail of the failed start is the last run's, not every restart's lines in a row.
    expect(events.find((e) => e.type === 'gave-up')).toMatchObject({ kind: 'crash-loop', stderrTail: ['run 3'] });
    expect(sup.stderrTail).toEqual(['run 3']);
  });

  it('a command that does not exist fails at once with the spawn error', async () => {
    const sup = h.supervisor({ command: '/nonexistent/svc-binary' });
    await expect(sup.start()).rejects.toMatchObject({ code: 'ESTART_FAILED' });
    expect(sup.state).toBe('failed');
    expect(sup.stats().failure).toMatch(/ENOENT/);
  });
});

describe('Supervisor: the start window', () => {
  it('readiness none: a process that exits inside the window is a failed start, answered at that exit (no restart, no crash loop)', async () => {
    const sup = h.supervisor({ args: [fixture('exit-with.mjs'), '3', '300'], restart: { policy: 'always', delay: 10_000 } });
    const events = recordEvents(sup);
    const error = await sup.start().then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ESTART_FAILED',
      state: 'failed',
      reason: 'exited with code 3 within its start window (1000 ms, readiness.startWindow)',
      lastExit: { code: 3, signal: null },
      stderrTail: ['about to exit 3'],
    });
    expect(spawns(events)).toHaveLength(1);
    expect(events.some((e) => e.type === 'restarting')).toBe(false);
    expect(events.find((e) => e.type === 'gave-up')).toMatchObject({ kind: 'start-failed' });
    expect(sup.stats()).toMatchObject({ state: 'failed', startFailures: 1, crashes: 0, lastExit: { code: 3, phase: 'start' } });
  });

  it('readiness none: a process that stays up is started once the window has passed, not at its spawn', async () => {
    const sup = h.supervisor({ args: [fixture('exit-with.mjs'), '0', '60000'], readiness: { startWindow: '700ms' } });
    const events = recordEvents(sup);
    const states: string[] = [];
    sup.on('state', ({ to }) => states.push(to));
    await sup.start();
    expect(sup.state).toBe('running');
    expect(states).toEqual(['starting', 'running']);
    const ready = events.find((e) => e.type === 'ready')!;
    expect(ready.startupMs as number).toBeGreaterThanOrEqual(700);
  });

  it('the window is a floor for the other types: READY=1 at once, then an exit inside the window, fails the start', async () => {
    // READY=1 over the IPC channel at once, exit 1 after 400 ms.
    const script = `process.send({ svc: 'ready' }); setTimeout(() => process.exit(1), 400);`;
    const sup = h.supervisor({ args: ['-e', script], readiness: { type: 'notify', startWindow: '2s' }, restart: { delay: 0 } });
    const events = recordEvents(sup);
    const error = await sup.start().then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESTART_FAILED', reason: 'exited with code 1 before it was ready (readiness notify, start window 2000 ms)' });
    expect(spawns(events)).toHaveLength(1);
    expect(events.some((e) => e.type === 'ready')).toBe(false);
  });

  it('notify without a window is ready at READY=1: an exit after it is a crash, not a failed start', async () => {
    // READY=1 at once, exit 1 two seconds later: no window to outlast, so the start succeeded.
    const script = `process.send({ svc: 'ready' }); setTimeout(() => process.exit(1), 2000);`;
    const sup = h.supervisor({ args: ['-e', script], readiness: { type: 'notify' }, restart: { policy: 'never' } });
    const events = recordEvents(sup);
    await sup.start();
    expect(sup.options.readiness.startWindowMs).toBe(0);
    expect(sup.state).toBe('running');
    await waitFor(() => sup.state === 'crashed', 'the crash');
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ code: 1, phase: 'run' });
  });

  it('a window as long as the readiness timeout is refused, naming both', () => {
    expect(() => h.supervisor({ readiness: { type: 'tcp', port: 9, timeout: '2s', startWindow: '2s' } })).toThrow(/readiness\.startWindow.*< readiness\.timeout \(2000 ms\)/);
    expect(() => h.supervisor({ readiness: { startWindow: '-1s' } })).toThrow(/readiness\.startWindow/);
  });
});

describe('Supervisor: readiness and liveness', () => {
  it('notify over the socket (any language) and over IPC (Node)', async () => {
    const viaSocket = h.supervisor({ name: 'sock', args: [fixture('notify.mjs'), 'socket'], ipc: false, readiness: { type: 'notify', timeout: 20_000 } });
    const viaIpc = h.supervisor({ name: 'ipc', args: [fixture('notify.mjs'), 'ipc'], readiness: { type: 'notify', timeout: 20_000 } });
    await Promise.all([viaSocket.start(), viaIpc.start()]);
    expect(viaSocket.state).toBe('running');
    expect(viaIpc.state).toBe('running');
  });

  it('http and tcp readiness', async () => {
    const port = await freePort();
    const http = h.supervisor({ name: 'http', args: [fixture('http-server.mjs')], env: { PORT: String(port) }, readiness: { type: 'http', url: `http://127.0.0.1:${port}/` } });
    await http.start();
    const port2 = await freePort();
    const tcp = h.supervisor({ name: 'tcp', args: [fixture('http-server.mjs')], env: { PORT: String(port2) }, readiness: { type: 'tcp', port: port2 } });
    await tcp.start();
    expect([http.state, tcp.state]).toEqual(['running', 'running']);
  });

  it('probes soon after the spawn and then less often: a service that needs a few tries is not made to wait an interval', async () => {
    // 503 for the first three probes, then 200. With probes an interval apart (30 s here) the
    // start could not finish within this test's timeout; with the gaps growing from 10 ms it does.
    const port = await freePort();
    const script = `let n = 0; require('node:http').createServer((q, r) => { n++; console.log('probe ' + n); r.statusCode = n <= 3 ? 503 : 200; r.end(); }).listen(${port}, '127.0.0.1');`;
    const sup = h.supervisor({ name: 'slowready', args: ['-e', script], readiness: { type: 'http', url: `http://127.0.0.1:${port}/`, interval: '30s', timeout: '60s' } });
    await sup.start();
    expect(sup.state).toBe('running');
    await waitFor(() => /probe 4/.test(readFileSync(join(sup.options.logDir, 'slowready.out.log'), 'utf8')), 'the fourth probe in the service log');
  }, 15_000);

  it('heartbeat stops → restart within heartbeat timeout × 1.5, counted as a liveness failure', async () => {
    const sup = h.supervisor({
      args: [fixture('notify.mjs'), 'socket', '200', '1000'],
      ipc: false,
      readiness: { type: 'notify' },
      liveness: { heartbeatTimeout: 2000 },
      restart: { delay: 0, crashLoop: { count: 10, window: '1m' } },
    });
    const events = recordEvents(sup);
    await sup.start();
    const failed = await waitForEvent(events, (e) => e.type === 'liveness-failed', 'the liveness failure');
    expect(failed.check).toBe('heartbeat');
    expect(failed.silentMs as number).toBeGreaterThanOrEqual(2000);
    expect(failed.silentMs as number).toBeLessThanOrEqual(3000);
    await waitFor(() => spawns(events).length >= 2, 'the restart');
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ reason: 'liveness', phase: 'run' });
  });

  it('HTTP liveness probe failing `failureThreshold` times restarts a hung Node service, after asking for a report', async () => {
    const port = await freePort();
    const sup = h.supervisor({
      args: [fixture('http-server.mjs')],
      env: { PORT: String(port) },
      readiness: { type: 'notify' },
      liveness: { http: `http://127.0.0.1:${port}/`, interval: 200, failureThreshold: 2, timeout: 300, reportTimeout: 1000 },
      stop: { timeout: 1000 },
      restart: { delay: 0, crashLoop: { count: 10, window: '1m' } },
    });
    const events = recordEvents(sup);
    await sup.start();
    await fetch(`http://127.0.0.1:${port}/hang`).then((r) => r.text());
    const failed = await waitForEvent(events, (e) => e.type === 'liveness-failed', 'the probe failure');
    expect(failed).toMatchObject({ check: 'http', failures: 2 });
    await waitFor(() => spawns(events).length >= 2, 'the restart');
  });

  it('a hung Node service whose event loop still turns is asked for a diagnostic report before the kill, and the file is kept', async () => {
    // The heartbeat stops after 600 ms but the process stays responsive, as a service wedged on a
    // lost promise would: Node's report-on-signal can still run, so a report is written.
    const sup = h.supervisor({
      args: [fixture('notify.mjs'), 'ipc', '200', '600'],
      readiness: { type: 'notify' },
      liveness: { heartbeatTimeout: 1500, reportTimeout: 5000 },
      restart: { delay: 0, crashLoop: { count: 10, window: '1m' } },
    });
    const events = recordEvents(sup);
    await sup.start();
    const report = await waitForEvent(events, (e) => e.type === 'report', 'the diagnostic report');
    const file = report.path as string;
    expect(file.startsWith(join(sup.options.logDir, 'reports'))).toBe(true);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { header: { processId: number; trigger: string } };
    expect(parsed.header.trigger).toBe('Signal');
    expect(parsed.header.processId).toBe(report.pid);
    await waitFor(() => spawns(events).length >= 2, 'the restart');
    // Kept after the restart.
    expect(existsSync(file)).toBe(true);
  });

  it('memory limit sustained over the window → graceful restart', async () => {
    const sup = h.supervisor({
      args: [fixture('memory-hog.mjs'), '120'],
      readiness: { type: 'notify' },
      limits: { memory: '60MB', window: 600, sampleInterval: 200 },
      restart: { delay: 0, crashLoop: { count: 10, window: '1m' } },
    });
    const events = recordEvents(sup);
    await sup.start();
    const exceeded = await waitForEvent(events, (e) => e.type === 'limit-exceeded', 'the memory limit');
    expect(exceeded.limit).toBe('memory');
    expect(exceeded.memoryBytes as number).toBeGreaterThan(60 * 1024 * 1024);
    const exited = await waitForEvent(events, (e) => e.type === 'exited', 'the exit');
    // Graceful: the stop signal was enough, no SIGKILL.
    expect(exited).toMatchObject({ reason: 'limit', signal: 'SIGTERM' });
    expect(events.some((e) => e.type === 'killed')).toBe(false);
    await waitFor(() => spawns(events).length >= 2, 'the restart');
  });

  it('CPU limit sustained over the window → graceful restart', async () => {
    const sup = h.supervisor({
      args: [fixture('cpu-burner.mjs')],
      readiness: { type: 'notify' },
      // The burner asks for a whole core. On a shared, loaded machine it may get far less, so the
      // limit is low: 3 % of one core, which an idle Node process stays under.
      limits: { cpu: 3, window: 1000, sampleInterval: 200 },
      restart: { delay: 0, crashLoop: { count: 10, window: '1m' } },
    });
    const events = recordEvents(sup);
    await sup.start();
    const exceeded = await waitForEvent(events, (e) => e.type === 'limit-exceeded', 'the CPU limit');
    expect(exceeded.limit).toBe('cpu');
    expect(exceeded.cpuPercent as number).toBeGreaterThan(3);
    const exited = await waitForEvent(events, (e) => e.type === 'exited', 'the exit');
    expect(exited).toMatchObject({ reason: 'limit', signal: null, code: 0 });
    expect(events.some((e) => e.type === 'killed')).toBe(false);
    await waitFor(() => spawns(events).length >= 2, 'the restart');
  });

  it('reports memory and CPU of the whole tree in stats', async () => {
    const sup = h.supervisor({ args: [fixture('memory-hog.mjs'), '30'], readiness: { type: 'notify' }, limits: { sampleInterval: 100 } });
    await sup.start();
    await waitFor(() => (sup.stats().memoryBytes ?? 0) > 30 * 1024 * 1024 && sup.stats().cpuPercent !== null, 'a sample');
    expect(sup.stats()).toMatchObject({ state: 'running', processes: 1, pid: expect.any(Number) });
  });

  it('without limits samples only when asked: stats() right after the start has the memory, and a second look within the interval reuses that sample', async () => {
    // A long interval: no sample could come from a timer within this test.
    const sup = h.supervisor({ args: [fixture('memory-hog.mjs'), '30'], readiness: { type: 'notify' }, limits: { sampleInterval: '1h' } });
    await sup.start();
    const first = sup.stats();
    expect(first.memoryBytes ?? 0).toBeGreaterThan(0);
    expect(first).toMatchObject({ processes: 1, cpuPercent: null });
    // Asked again within the interval: the same sample, not a new read of /proc.
    expect(sup.stats().memoryBytes).toBe(first.memoryBytes);
  });
});

describe('Supervisor: stop', () => {
  it('kills a SIGTERM-ignoring child with SIGKILL once stop.timeout has passed', async () => {
    const sup = h.supervisor({ args: [fixture('ignore-term.mjs')], readiness: { type: 'notify' }, stop: { timeout: 1500 } });
    const events = recordEvents(sup);
    await sup.start();
    const pid = sup.pid!;
    const started = performance.now();
    await sup.stop();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1450);
    expect(events.find((e) => e.type === 'killed')).toMatchObject({ signal: 'SIGKILL', pid });
    expect((events.find((e) => e.type === 'killed')!.afterMs as number)).toBeGreaterThanOrEqual(1500);
    expect(sup.stats().lastExit).toMatchObject({ signal: 'SIGKILL', reason: 'stop' });
    expect((await sup.flushLogs(), sup.tail('stdout', 10))).toEqual(expect.arrayContaining(['SIGTERM ignored', 'message ignored {"svc":"shutdown"}']));
    expect(sup.state).toBe('stopped');
    expect(procState(pid)).toBe('gone');
  });

  it('stop during backoff cancels the restart', async () => {
    const sup = h.supervisor({ args: [fixture('exit-with.mjs'), '1', '100'], readiness: { startWindow: 0 }, restart: { delay: 5000, jitter: 0 } });
    const events = recordEvents(sup);
    await sup.start();
    await waitFor(() => sup.state === 'backoff', 'backoff');
    await sup.stop();
    expect(sup.state).toBe('stopped');
    await new Promise((r) => setTimeout(r, 300));
    expect(spawns(events)).toHaveLength(1);
    expect(sup.stats().nextRestartInMs).toBeNull();
  });

  it('20 concurrent restarts are serialised and all answered; one instance runs at the end', async () => {
    const sup = h.supervisor({ args: [fixture('notify.mjs'), 'ipc'], readiness: { type: 'notify' }, stop: { timeout: 5000 } });
    const events = recordEvents(sup);
    await sup.start();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => sup.restart()));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill('fulfilled'));
    expect(sup.state).toBe('running');
    const spawned = spawns(events).map((e) => e.pid as number);
    expect(spawned.length).toBeGreaterThanOrEqual(2);
    expect(spawned.length).toBeLessThanOrEqual(21);
    // Every pid but the last is gone: never two at once.
    for (const pid of spawned.slice(0, -1)) expect(procState(pid)).toBe('gone');
    expect(sup.pid).toBe(spawned.at(-1));
  });

  it('stop and start interleaved keep a consistent state', async () => {
    const sup = h.supervisor({ args: [fixture('notify.mjs'), 'ipc'], readiness: { type: 'notify' } });
    const outcomes = await Promise.allSettled([sup.start(), sup.stop(), sup.start(), sup.restart(), sup.stop()]);
    expect(outcomes.every((o) => o.status === 'fulfilled' || (isSupervisorError(o.reason) && o.reason.code === 'ESTOPPED'))).toBe(true);
    expect(sup.state).toBe('stopped');
    expect(sup.pid).toBeNull();
  });
});

describe('Supervisor: environment', () => {
  it('passes env, envFile and the protocol variables; env wins over envFile', async () => {
    const dir = h.tempDir();
    const envFile = join(dir, '.env');
    writeFileSync(envFile, 'FROM_FILE=file\nBOTH=file\n');
    const sup = h.supervisor({
      args: [fixture('print-env.mjs'), 'FROM_FILE', 'BOTH', 'SVC_SERVICE_NAME', 'SVC_INSTANCE', 'SVC_STOP_TIMEOUT_MS', 'SVC_NOTIFY'],
      envFile,
      env: { BOTH: 'env' },
      readiness: { startWindow: 0 }, // a one-shot: started at its spawn
      restart: { policy: 'never' },
      stop: { timeout: 4321 },
    });
    await sup.start();
    await waitFor(() => sup.state === 'stopped', 'the clean exit');
    await sup.flushLogs();
    expect(JSON.parse(sup.tail('stdout', 1)[0]!)).toEqual({
      FROM_FILE: 'file',
      BOTH: 'env',
      SVC_SERVICE_NAME: 'svc-test',
      SVC_INSTANCE: '0',
      SVC_STOP_TIMEOUT_MS: '4321',
      SVC_NOTIFY: 'ipc',
    });
  });

  it('a broken env file fails the start with EENV_FILE details and spawns nothing', async () => {
    const dir = h.tempDir();
    const envFile = join(dir, '.env');
    writeFileSync(envFile, 'GOOD=1\nnot a line\n');
    const sup = h.supervisor({ args: [fixture('notify.mjs')], envFile });
    const events = recordEvents(sup);
    await expect(sup.start()).rejects.toMatchObject({ code: 'ESTART_FAILED' });
    expect(sup.stats().failure).toMatch(/\.env:2: expected KEY=value/);
    expect(spawns(events)).toHaveLength(0);
  });

  it('bad options throw EINVALID_OPTIONS before anything happens', () => {
    const bad = [
      { name: '../evil' },
      { command: '' },
      { restart: { policy: 'sometimes' } },
      { restart: { delay: '5 parsecs' } },
      { readiness: { type: 'http', url: 'ftp://x' } },
      { stop: { signal: 'SIGNOPE' } },
      { limits: { memory: '-1MB' } },
      { logs: { maxFiles: 0 } },
    ];
    for (const options of bad) {
      expect(() => h.supervisor(options as never)).toThrow(expect.objectContaining({ code: 'EINVALID_OPTIONS' }));
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
