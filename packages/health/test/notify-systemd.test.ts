import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHealth } from '../src/index.js';
import { createSystemdNotifier } from '../src/notify-systemd.js';
import { Child, cleanEnv, fixture } from './helpers/child.js';

// Under systemd (NOTIFY_SOCKET set) the package sends datagrams itself: the test binds a real Unix
// datagram socket and reads them. Where the datagram library cannot be used (an abstract socket,
// a platform without its binary) it runs `systemd-notify`; PID 1 is not systemd in the test
// environment, so a fake `systemd-notify` (test/fixtures/fake-systemd-notify.sh) is put first on
// PATH for those tests: it records each call's arguments and time. The fixture process is real.
const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as {
  DgramSocket: new () => { bind(path: string): void; on(event: 'data', listener: (data: Buffer) => void): void; close(): void };
};

let dir: string;
let log: string;
let notifyPath: string;
let receiver: InstanceType<typeof DgramSocket>;
const datagrams: Array<{ text: string; at: number }> = [];
const children: Child[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'svc-health-systemd-'));
  log = join(dir, 'calls.log');
  copyFileSync(fixture('fake-systemd-notify.sh'), join(dir, 'systemd-notify'));
  chmodSync(join(dir, 'systemd-notify'), 0o755);
  notifyPath = join(dir, 'notify');
  receiver = new DgramSocket();
  receiver.bind(notifyPath);
  receiver.on('data', (data) => datagrams.push({ text: data.toString(), at: Date.now() }));
});

afterEach(() => {
  for (const child of children.splice(0)) child.killGroup();
  receiver.close();
  datagrams.length = 0;
  rmSync(dir, { recursive: true, force: true });
});

interface Call {
  at: number;
  socket: string;
  args: string;
}
const calls = (): Call[] =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [at, socket, ...args] = line.split(' ');
          return { at: Number(at), socket: socket!, args: args.join(' ') };
        })
    : [];

/** Polls: the fake's log is written by another process, and datagrams arrive on their own. */
async function waitUntil<T>(get: () => T, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = get();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const start = (env: NodeJS.ProcessEnv) => {
  const child = new Child('notify-child.mjs', cleanEnv({ PATH: `${dir}${delimiter}${process.env.PATH}`, FAKE_NOTIFY_LOG: log, ...env }));
  children.push(child);
  return child;
};
const texts = () => datagrams.map((d) => d.text);
const beatCount = () => texts().filter((t) => t === 'WATCHDOG=1').length;

describe('notify under systemd (NOTIFY_SOCKET set): datagrams from the process itself', () => {
  it('sends READY=1 as a datagram, then heartbeats at half WATCHDOG_USEC; systemd-notify is never run', async () => {
    const child = start({ NOTIFY_SOCKET: notifyPath, WATCHDOG_USEC: '400000' });
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'systemd', heartbeatIntervalMs: 200 });
    await waitUntil(beatCount, (n) => n >= 2);
    expect(texts()[0]).toBe('READY=1');
    child.send({ command: 'status', text: 'warming\nup' });
    await waitUntil(texts, (list) => list.includes('STATUS=warming up'));
    expect(calls()).toEqual([]);
  });

  it('sends no heartbeat while the event loop is blocked, and beats again after', async () => {
    const child = start({ NOTIFY_SOCKET: notifyPath, WATCHDOG_USEC: '200000' });
    await child.waitFor((m) => m.fixture === 'ready');
    await waitUntil(beatCount, (n) => n >= 1);
    child.send({ command: 'block', ms: 3000 });
    const end = (await child.waitFor((m) => m.fixture === 'block-end')) as { at: number };
    const begin = child.messages.find((m) => m.fixture === 'block-start') as { at: number };
    // A beat sent just before the block may be read a moment after it began on a loaded machine,
    // hence the 1 s grace; unblocked, ~30 beats would land here.
    const during = datagrams.filter((d) => d.text === 'WATCHDOG=1' && d.at > begin.at + 1000 && d.at < end.at);
    expect(during).toEqual([]);
    const count = beatCount();
    await waitUntil(beatCount, (n) => n > count);
  });

  it('leaves the watchdog alone when WATCHDOG_PID names another process', async () => {
    const child = start({ NOTIFY_SOCKET: notifyPath, WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' });
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'systemd', heartbeatIntervalMs: null });
  });

  it('sends STOPPING=1 when draining begins', async () => {
    const child = start({ NOTIFY_SOCKET: notifyPath });
    await child.waitFor((m) => m.fixture === 'ready');
    child.send({ command: 'setState', state: 'draining' });
    await waitUntil(texts, (list) => list.includes('STOPPING=1'));
    expect(texts()).toEqual(['READY=1', 'STOPPING=1']);
  });

  it('rejects ready() with EHEALTH_NOTIFY_FAILED when nothing is bound at NOTIFY_SOCKET', async () => {
    const child = start({ NOTIFY_SOCKET: join(dir, 'nobody') });
    const failed = await child.waitFor((m) => m.fixture === 'ready-failed');
    expect(failed).toMatchObject({ code: 'EHEALTH_NOTIFY_FAILED', via: 'systemd' });
    expect(calls()).toEqual([]);
  });

  it('a process that has sent READY=1 and heartbeats still exits on its own once closed: no socket is left open', async () => {
    const script = `
      import { createHealth } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const health = createHealth({ defaultMetrics: false });
      await health.ready();
      await new Promise((resolve) => setTimeout(resolve, 300));
      health.close();`;
    const result = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], { env: cleanEnv({ NOTIFY_SOCKET: notifyPath, WATCHDOG_USEC: '100000' }), timeout: 60_000 }, (_error, _stdout, stderr) =>
        resolve({ code: child.exitCode, signal: child.signalCode, stderr }),
      );
    });
    expect(result.signal, 'still running when the test gave up on it').toBeNull();
    expect(result.code, result.stderr).toBe(0);
    await waitUntil(texts, (list) => list.includes('WATCHDOG=1'));
    expect(texts()).toContain('READY=1');
    expect(texts()).toContain('WATCHDOG=1');
  });
});

describe('notify under systemd without the datagram library: the systemd-notify command', () => {
  it('an abstract NOTIFY_SOCKET (which the library cannot address) goes through `systemd-notify`, NOTIFY_SOCKET passed on', async () => {
    const child = start({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify', WATCHDOG_USEC: '400000' });
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'systemd', heartbeatIntervalMs: 200 });
    const list = await waitUntil(calls, (list) => list.filter((call) => call.args === 'WATCHDOG=1').length >= 2);
    expect(list[0]).toMatchObject({ socket: '@/org/freedesktop/systemd1/notify', args: 'READY=1' });
  });

  it('where the library does not load (a platform without its binary), the command is used for a path too', async () => {
    // The one stand-in: this machine has the binary, so the loader is told there is none.
    const notifier = createSystemdNotifier('systemd-notify', { PATH: `${dir}${delimiter}${process.env.PATH}`, FAKE_NOTIFY_LOG: log, NOTIFY_SOCKET: notifyPath }, undefined, () => null);
    await notifier.send('READY=1');
    expect(calls()).toMatchObject([{ socket: notifyPath, args: 'READY=1' }]);
    expect(datagrams).toEqual([]);
  });

  it('rejects ready() with EHEALTH_NOTIFY_FAILED when systemd-notify fails', async () => {
    const child = start({ NOTIFY_SOCKET: '@notify', FAKE_NOTIFY_EXIT: '1' });
    const failed = await child.waitFor((m) => m.fixture === 'ready-failed');
    expect(failed).toMatchObject({ code: 'EHEALTH_NOTIFY_FAILED', via: 'systemd' });
  });

  it('rejects ready() with EHEALTH_NOTIFY_FAILED when the command does not exist', async () => {
    const health = createHealth({
      defaultMetrics: false,
      notify: 'systemd',
      systemdNotifyCommand: join(dir, 'no-such-command'),
      env: { NOTIFY_SOCKET: '@notify', PATH: dir },
      logger: { warn: () => undefined },
    });
    await expect(health.ready()).rejects.toMatchObject({ code: 'EHEALTH_NOTIFY_FAILED', via: 'systemd' });
    expect(health.state).toBe('ready');
    health.close();
  });
});

describe('no supervisor', () => {
  it('is a no-op: ready() resolves, no heartbeat, nothing is spawned', async () => {
    const child = new Child('notify-child.mjs', cleanEnv({ PATH: `${dir}${delimiter}${process.env.PATH}`, FAKE_NOTIFY_LOG: log }));
    children.push(child);
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'none', heartbeatIntervalMs: null });
    expect(child.messages.filter((m) => m.svc !== undefined)).toEqual([]);
    expect(calls()).toEqual([]);
    expect(datagrams).toEqual([]);
  });
});
