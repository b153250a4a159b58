import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../src/child-env.js';
import { NotifyChannels } from '../src/notify-channels.js';
import { loadDatagramSupport } from '../src/notify-datagram.js';
import { MAX_NOTIFY_DATAGRAM_BYTES, parseDatagram } from '../src/notify-vocabulary.js';
import { resolveSupervisorOptions } from '../src/options.js';
import type { Supervisor, SupervisorEvent, SupervisorOptions } from '../src/index.js';
import { Harness, fixture, recordEvents, waitFor, waitForEvent } from './helpers.js';

/*
 * systemd's notify protocol on NOTIFY_SOCKET, a Unix datagram socket of the supervisor's: real
 * services (bash with the real `systemd-notify`, a Python client of the standard library,
 * test/fixtures/sd-notify.py) sending real datagrams. The one stand-in is a datagram library that
 * fails to load (a platform without its binary), which this machine cannot show.
 */
const h = new Harness();
afterEach(() => h.cleanup());

const python = (name: string, steps: string[], options: Partial<SupervisorOptions> = {}) =>
  h.supervisor({ name, command: 'python3', args: [fixture('sd-notify.py'), ...steps], readiness: { type: 'notify', timeout: 30_000 }, ...options });

/** What the service said about itself (the `status` events), by the assignment it sent. */
const said = (events: SupervisorEvent[], notify: string) => events.filter((e) => e.type === 'status' && e.notify === notify);

/** Events and output lines in the order they came. */
function timeline(sup: Supervisor): Array<SupervisorEvent | string> {
  const items: Array<SupervisorEvent | string> = [];
  sup.on('event', (e) => items.push(e));
  sup.on('log', (l) => items.push(l.line));
  return items;
}

function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

describe('the notify vocabulary (one datagram, as systemd reads it)', () => {
  it('reads newline-separated assignments in order, ignores unknown keys and values systemd ignores, and names refused values', () => {
    const parsed = parseDatagram(
      Buffer.from('READY=1\nSTATUS=up: 3 workers\nBARRIER=1\nFDSTORE=1\nREADY=0\nMAINPID=abc\nWATCHDOG=trigger\nWATCHDOG_USEC=1500000\nEXTEND_TIMEOUT_USEC=999\nERRNO=2\nRELOADING=1\nSTOPPING=1\nWATCHDOG=1\nMAINPID=42\nnonsense\n'),
    );
    expect(parsed.messages).toEqual([
      { kind: 'ready' },
      { kind: 'status', text: 'up: 3 workers' },
      { kind: 'watchdog-trigger' },
      { kind: 'watchdog-timeout', timeoutMs: 1500 },
      { kind: 'extend-timeout', extendMs: 1 },
      { kind: 'errno', errno: 2 },
      { kind: 'reloading' },
      { kind: 'stopping' },
      { kind: 'watchdog' },
      { kind: 'mainpid', pid: 42 },
    ]);
    expect(parsed.problems).toEqual(['MAINPID=abc: expected a process id', '"nonsense": not a KEY=VALUE assignment']);
  });

  it('bounds the µs values: at least 1 ms, at most the longest timer', () => {
    expect(parseDatagram(Buffer.from('WATCHDOG_USEC=0')).problems).toEqual(['WATCHDOG_USEC=0: expected at least 1000 µs']);
    expect(parseDatagram(Buffer.from('EXTEND_TIMEOUT_USEC=99999999999999')).problems).toEqual([
      'EXTEND_TIMEOUT_USEC=99999999999999: expected at most 2147483647 ms (Node\'s longest timer)',
    ]);
    expect(parseDatagram(Buffer.from('WATCHDOG_USEC=-5')).problems).toEqual(['WATCHDOG_USEC=-5: expected a whole number of µs']);
  });

  it('drops an oversized datagram, one that is not UTF-8, or one with a NUL whole', () => {
    const fits = Buffer.from(`STATUS=${'a'.repeat(MAX_NOTIFY_DATAGRAM_BYTES - 'STATUS='.length)}`);
    expect(parseDatagram(fits).messages).toHaveLength(1);
    expect(parseDatagram(Buffer.concat([fits, Buffer.from('a')]))).toEqual({ messages: [], problems: [`a datagram larger than ${MAX_NOTIFY_DATAGRAM_BYTES} bytes`] });
    expect(parseDatagram(Buffer.from([0x52, 0x45, 0xff, 0xfe]))).toEqual({ messages: [], problems: ['a datagram that is not UTF-8 text'] });
    expect(parseDatagram(Buffer.from('READY=1\0STATUS=x'))).toEqual({ messages: [], problems: ['a datagram with a NUL byte'] });
  });
});

describe('NOTIFY_SOCKET: systemd-notify and sd_notify clients under the Supervisor', () => {
  it('a shell script with systemd-notify: READY=1 makes it running, STATUS= is its status; the socket is 0600 in a 0700 dir, there only while the run is', async () => {
    const sup = h.supervisor({
      name: 'shell',
      command: 'bash',
      args: ['-c', 'sleep 0.5; systemd-notify --ready --status="warming done"; exec sleep 1000'],
      readiness: { type: 'notify', timeout: 30_000 },
    });
    const events = recordEvents(sup);
    await sup.start();
    expect(sup.state).toBe('running');
    expect(sup.stats().status).toBe('warming done');
    expect(events.find((e) => e.type === 'status' && e.text === 'warming done')).toBeDefined();
    const socket = environOf(sup.pid!).NOTIFY_SOCKET!;
    expect(socket).toBe(join(sup.options.runDir, 'shell.dgram.sock'));
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(socket)).mode & 0o777).toBe(0o700);
    await sup.stop();
    expect(existsSync(socket)).toBe(false);
  });

  it('WATCHDOG_USEC is the heartbeat timeout in µs, WATCHDOG_PID the service\'s own pid; WATCHDOG=1 keeps the run, silence restarts it as a liveness failure', async () => {
    const sup = python('beats', ['READY=1', '@print', 'WATCHDOG_USEC', '@print', 'WATCHDOG_PID', '@beat', '0.2', '@sleep', '5', '@stopbeat'], {
      liveness: { heartbeatTimeout: 2000 },
      restart: { delay: 0, crashLoop: { count: 10, window: '1m' } },
    });
    const items = timeline(sup);
    const events = recordEvents(sup);
    await sup.start();
    const failed = await waitForEvent(events, (e) => e.type === 'liveness-failed', 'the liveness failure', 60_000);
    expect(failed).toMatchObject({ check: 'heartbeat', timeoutMs: 2000 });
    // Beating for longer than the timeout kept it; only the silence after ended it.
    expect(items.indexOf(failed)).toBeGreaterThan(items.indexOf('beats stopped'));
    expect(items).toContain('WATCHDOG_USEC=2000000');
    // The pid the service runs as (the shim execs it in its own place), as systemd sets it.
    expect(items).toContain(`WATCHDOG_PID=${events.find((e) => e.type === 'spawned')!.pid as number}`);
    expect(said(events, 'WATCHDOG=1')).toMatchObject([{ first: true }]);
    await waitForEvent(events, (e) => e.type === 'exited', 'the exit');
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ reason: 'liveness', phase: 'run' });
  });

  it('WATCHDOG_USEC= from the service sets the timeout of its run; WATCHDOG=trigger fails it at once; no heartbeat configured: ignored', async () => {
    const shorter = python('shorter', ['READY=1', 'WATCHDOG_USEC=500000'], { liveness: { heartbeatTimeout: '10m' }, restart: { policy: 'never' } });
    const trigger = python('trigger', ['READY=1', '@sleep', '0.3', 'WATCHDOG=trigger'], { restart: { policy: 'never' } });
    const none = python('none', ['READY=1', 'WATCHDOG_USEC=500000', 'STATUS=after'], { restart: { policy: 'never' } });
    const [shortEvents, triggerEvents, noneEvents] = [recordEvents(shorter), recordEvents(trigger), recordEvents(none)];
    await Promise.all([shorter.start(), trigger.start(), none.start()]);
    expect(await waitForEvent(shortEvents, (e) => e.type === 'liveness-failed', 'the shortened heartbeat to fail', 60_000)).toMatchObject({ check: 'heartbeat', timeoutMs: 500 });
    expect(said(shortEvents, 'WATCHDOG_USEC=500000')).toMatchObject([{ heartbeatTimeoutMs: 500 }]);
    expect(await waitForEvent(triggerEvents, (e) => e.type === 'liveness-failed', 'the trigger')).toMatchObject({ check: 'watchdog', trigger: true });
    await waitForEvent(triggerEvents, (e) => e.type === 'exited', 'the triggered run to end');
    expect(triggerEvents.find((e) => e.type === 'exited')).toMatchObject({ reason: 'liveness' });
    await waitFor(() => none.stats().status === 'after', 'the status after the refused WATCHDOG_USEC');
    expect(said(noneEvents, 'WATCHDOG_USEC=500000')).toMatchObject([{ ignored: 'the service has no heartbeat check (liveness.heartbeatTimeout)' }]);
    expect(none.state).toBe('running');
  });

  it('EXTEND_TIMEOUT_USEC= keeps a slow start past readiness.timeout, and a slow stop past stop.timeout', async () => {
    // The timeout leaves Python time to start on a loaded machine; the start takes longer still.
    const slow = python('slow', ['EXTEND_TIMEOUT_USEC=30000000', '@sleep', '8', 'READY=1', '@term', 'EXTEND_TIMEOUT_USEC=30000000'], {
      readiness: { type: 'notify', timeout: 5000 },
      stop: { timeout: 500 },
      restart: { policy: 'never' },
    });
    const events = recordEvents(slow);
    await slow.start();
    expect(slow.state).toBe('running');
    expect(said(events, 'EXTEND_TIMEOUT_USEC=30000000')).toMatchObject([{ extended: 'start', extendMs: 30_000 }]);
    await slow.stop();
    expect(said(events, 'EXTEND_TIMEOUT_USEC=30000000')[1]).toMatchObject({ extended: 'stop', extendMs: 30_000 });
    expect(events.filter((e) => e.type === 'killed')).toEqual([]);
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ code: 0, signal: null });
  });

  it('MAINPID= of a process of the service is shown with its status; one outside it is refused', async () => {
    const sup = python('forks', ['READY=1', 'STATUS=serving', '@spawn', 'MAINPID=1', '@print', 'SVC_SERVICE_NAME']);
    const items = timeline(sup);
    const events = recordEvents(sup);
    await sup.start();
    // The pid comes on stdout, the datagrams on the socket: either may be seen first.
    const childLine = () => items.find((i): i is string => typeof i === 'string' && i.startsWith('child '));
    await waitFor(() => said(events, 'MAINPID=1').length === 1 && childLine() !== undefined, 'the refused MAINPID and the child\'s pid');
    const child = Number(/^child (\d+)$/.exec(childLine()!)![1]);
    expect(said(events, `MAINPID=${child}`)).toMatchObject([{ mainPid: child }]);
    expect(said(events, 'MAINPID=1')).toMatchObject([{ ignored: 'pid 1 is not a process of this service' }]);
    expect(sup.stats().status).toBe(`serving (main pid ${child})`);
  });

  it('ERRNO= sent just before a crash is recorded and shown with the status', async () => {
    const sup = python('errno', ['READY=1', '@sleep', '0.3', 'STATUS=cannot open the database\nERRNO=2', '@exit', '1'], { restart: { policy: 'never' } });
    const events = recordEvents(sup);
    await sup.start();
    await waitFor(() => sup.isSettled, 'the crash to settle');
    expect(sup.state).toBe('crashed');
    expect(said(events, 'ERRNO=2')).toMatchObject([{ errno: 2, code: 'ENOENT' }]);
    expect(sup.stats().status).toBe('cannot open the database (errno 2 ENOENT)');
  });

  it('RELOADING=1 shows "reloading" until READY=1; STOPPING=1 shows "stopping"; each is recorded', async () => {
    const sup = python('reloads', ['READY=1', 'STATUS=v1', 'RELOADING=1', '@sleep', '1', 'READY=1\nSTATUS=v2', '@sleep', '0.5', 'STOPPING=1']);
    const statusAt = new Map<string, string | null>();
    sup.on('event', (e) => {
      if (e.type === 'status' && typeof e.notify === 'string') statusAt.set(e.notify, sup.stats().status);
    });
    const events = recordEvents(sup);
    await sup.start();
    await waitFor(() => statusAt.has('STOPPING=1'), 'STOPPING=1');
    expect(statusAt.get('RELOADING=1')).toBe('v1 (reloading)');
    expect(said(events, 'READY=1')).toMatchObject([{ reloaded: true }]);
    expect(statusAt.get('STOPPING=1')).toBe('v2 (stopping)');
  });

  it('malformed and oversized datagrams are dropped and recorded once per run; what follows still counts', async () => {
    const sup = python('junk', ['@bytes', 'fffe00', 'nonsense', '@bytes', '41'.repeat(MAX_NOTIFY_DATAGRAM_BYTES + 1000), 'MAINPID=x', 'READY=1\nSTATUS=fine']);
    const events = recordEvents(sup);
    await sup.start();
    expect(sup.stats().status).toBe('fine');
    expect(said(events, 'ignored')).toMatchObject([{ reason: 'a datagram that is not UTF-8 text' }]);
  });
});

describe('who is heard: the sender\'s credentials (SCM_CREDENTIALS), as systemd checks them', () => {
  it('a process of the same user outside the service is not heard (recorded with its pid); the service\'s own READY=1 still counts', async () => {
    const gate = join(h.tempDir(), 'go');
    const sup = python('guarded', ['@waitfile', gate, 'READY=1\nSTATUS=own']);
    const events = recordEvents(sup);
    const starting = sup.start();
    await waitForEvent(events, (e) => e.type === 'spawned', 'the spawn');
    const socket = join(sup.options.runDir, 'guarded.dgram.sock');
    // Not a descendant of the service: started by the test, with the socket's path in its environment.
    const outsider = spawn('python3', [fixture('sd-notify.py'), 'READY=1\nSTATUS=forged', '@sleep', '60'], { env: { ...process.env, NOTIFY_SOCKET: socket }, stdio: 'ignore' });
    try {
      const ignored = await waitForEvent(events, (e) => e.type === 'status' && e.notify === 'ignored', 'the outsider\'s datagram to be refused');
      expect(ignored.reason).toBe(`pid ${outsider.pid} (uid ${process.getuid!()}) is not a process of this service`);
      expect(sup.state).toBe('starting');
      expect(sup.stats().status).not.toBe('forged');
    } finally {
      outsider.kill('SIGKILL');
    }
    writeFileSync(gate, '');
    await starting;
    expect(sup.state).toBe('running');
    expect(sup.stats().status).toBe('own');
  });

  it('a process further down the service\'s tree is heard (a grandchild, through a shell that waits for it)', async () => {
    const sup = h.supervisor({
      name: 'deep',
      command: 'bash',
      args: ['-c', `sh -c 'python3 ${fixture('sd-notify.py')} "READY=1\nSTATUS=from a grandchild" @sleep 1000; true' & exec sleep 1000`],
      readiness: { type: 'notify', timeout: 30_000 },
    });
    const events = recordEvents(sup);
    await sup.start();
    expect(sup.state).toBe('running');
    expect(sup.stats().status).toBe('from a grandchild');
    expect(said(events, 'ignored')).toEqual([]);
  });

  it('descriptors sent along with a datagram (systemd-notify\'s barrier) are closed at once, not kept', async () => {
    const sup = python('barriers', ['READY=1', '@fds', '200', 'STATUS=after']);
    await sup.start();
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    await waitFor(() => sup.stats().status === 'after', 'the datagram after the 200 descriptors');
    // 200 kept would show as 200 more; the rest of the process may move it by a few.
    expect(open() - before).toBeLessThan(20);
  });
});

describe('the environment and the sockets', () => {
  it('an inherited NOTIFY_SOCKET, WATCHDOG_USEC or WATCHDOG_PID (svc itself under systemd) never reaches a service', () => {
    const dir = h.tempDir();
    const inherited = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1', PATH: '/usr/bin' };
    const base = { name: 'env', command: 'true', logDir: dir, baseEnv: inherited };
    const context = { fencingToken: null, listenName: null, adoptPort: null, notifySocket: null, notifyDatagram: null, reportsDir: null };
    const plain = buildChildEnv(resolveSupervisorOptions(base), context);
    expect([plain.NOTIFY_SOCKET, plain.WATCHDOG_USEC, plain.WATCHDOG_PID, plain.PATH]).toEqual([undefined, undefined, undefined, '/usr/bin']);
    const watched = buildChildEnv(resolveSupervisorOptions({ ...base, liveness: { heartbeatTimeout: 3000 } }), { ...context, notifySocket: '/r/x.notify.sock', notifyDatagram: '/r/x.dgram.sock' });
    expect([watched.NOTIFY_SOCKET, watched.WATCHDOG_USEC, watched.WATCHDOG_PID]).toEqual(['/r/x.dgram.sock', '3000000', undefined]);
  });

  it('a run directory as long as the socket paths allow (103 bytes, for macOS) works; one byte more is refused before anything starts', async () => {
    const base = h.tempDir();
    const runDir = join(base, 'd'.repeat(103 - Buffer.byteLength(join(base, 'x', 'long.notify.sock')) + 1));
    const sup = h.supervisor({ name: 'long', command: 'bash', args: ['-c', 'systemd-notify --ready --status=long; exec sleep 1000'], runDir, readiness: { type: 'notify', timeout: 30_000 } });
    expect(Buffer.byteLength(join(runDir, 'long.notify.sock'))).toBe(103);
    await sup.start();
    expect(sup.stats().status).toBe('long');
    expect(() => h.supervisor({ name: 'long', command: 'true', runDir: `${runDir}d`, readiness: { type: 'notify' } })).toThrow(/runDir.*exceeds 103 bytes/);
  });

  it('where the datagram library cannot load: no NOTIFY_SOCKET, said once, the stream socket stays', async () => {
    const support = loadDatagramSupport(() => {
      throw new Error('Cannot find module @koromix/koffi-linux-x64');
    });
    expect(support).toEqual({ ok: false, reason: 'koffi could not be loaded (Cannot find module @koromix/koffi-linux-x64)' });
    const told: string[] = [];
    const channels = new NotifyChannels(h.tempDir(), 'svc', { line: () => undefined, datagram: () => undefined, unavailable: (reason) => told.push(reason) }, () => support);
    expect(await channels.open()).toBeNull();
    expect(await channels.open()).toBeNull();
    expect(told).toEqual([support.ok ? '' : support.reason]);
    expect(statSync(channels.streamPath).isSocket()).toBe(true);
    await channels.close();
  });
});
