import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHealth } from '../src/index.js';
import { Child, cleanEnv, fixture } from './helpers/child.js';

// Under systemd (NOTIFY_SOCKET set) the package runs `systemd-notify`. PID 1 is not systemd in
// the test environment, so a fake `systemd-notify` (test/fixtures/fake-systemd-notify.sh) is put
// first on PATH: it records each call's arguments and time. The fixture process itself is real.
let dir: string;
let log: string;
const children: Child[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'svc-health-systemd-'));
  log = join(dir, 'calls.log');
  copyFileSync(fixture('fake-systemd-notify.sh'), join(dir, 'systemd-notify'));
  chmodSync(join(dir, 'systemd-notify'), 0o755);
});

afterEach(() => {
  for (const child of children.splice(0)) child.killGroup();
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

/** Polls the fake's log: it is written by another process, so there is no event to wait on. */
async function waitForCalls(match: (calls: Call[]) => boolean): Promise<Call[]> {
  for (;;) {
    const current = calls();
    if (match(current)) return current;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const start = (env: NodeJS.ProcessEnv) => {
  const child = new Child(
    'notify-child.mjs',
    cleanEnv({ PATH: `${dir}${delimiter}${process.env.PATH}`, NOTIFY_SOCKET: '/run/systemd/notify', FAKE_NOTIFY_LOG: log, ...env }),
  );
  children.push(child);
  return child;
};
const beats = (list: Call[]) => list.filter((call) => call.args === 'WATCHDOG=1');

describe('notify under systemd (NOTIFY_SOCKET set)', () => {
  it('runs `systemd-notify READY=1` with NOTIFY_SOCKET passed on, then heartbeats at half WATCHDOG_USEC', async () => {
    const child = start({ WATCHDOG_USEC: '400000' });
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'systemd', heartbeatIntervalMs: 200 });
    const list = await waitForCalls((list) => beats(list).length >= 2);
    expect(list[0]).toMatchObject({ socket: '/run/systemd/notify', args: 'READY=1' });
  });

  it('sends no heartbeat while the event loop is blocked, and beats again after', async () => {
    const child = start({ WATCHDOG_USEC: '200000' });
    await child.waitFor((m) => m.fixture === 'ready');
    await waitForCalls((list) => beats(list).length >= 1);
    child.send({ command: 'block', ms: 3000 });
    const end = (await child.waitFor((m) => m.fixture === 'block-end')) as { at: number };
    const begin = child.messages.find((m) => m.fixture === 'block-start') as { at: number };
    // A systemd-notify spawned just before the block may log a moment after it began (process
    // start-up on a loaded machine), hence the 1 s grace; unblocked, ~20 calls would land here.
    const during = beats(calls()).filter((call) => call.at > begin.at + 1000 && call.at < end.at);
    expect(during).toEqual([]);
    const count = beats(calls()).length;
    await waitForCalls((list) => beats(list).length > count);
  });

  it('leaves the watchdog alone when WATCHDOG_PID names another process', async () => {
    const child = start({ WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' });
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'systemd', heartbeatIntervalMs: null });
  });

  it('sends STOPPING=1 when draining begins', async () => {
    const child = start({});
    await child.waitFor((m) => m.fixture === 'ready');
    child.send({ command: 'setState', state: 'draining' });
    const list = await waitForCalls((list) => list.some((call) => call.args === 'STOPPING=1'));
    expect(list.map((call) => call.args)).toEqual(['READY=1', 'STOPPING=1']);
  });

  it('rejects ready() with EHEALTH_NOTIFY_FAILED when systemd-notify fails', async () => {
    const child = start({ FAKE_NOTIFY_EXIT: '1' });
    const failed = await child.waitFor((m) => m.fixture === 'ready-failed');
    expect(failed).toMatchObject({ code: 'EHEALTH_NOTIFY_FAILED', via: 'systemd' });
  });

  it('rejects ready() with EHEALTH_NOTIFY_FAILED when the command does not exist', async () => {
    const health = createHealth({
      defaultMetrics: false,
      notify: 'systemd',
      systemdNotifyCommand: join(dir, 'no-such-command'),
      env: { NOTIFY_SOCKET: '/run/systemd/notify', PATH: dir },
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
  });
});
