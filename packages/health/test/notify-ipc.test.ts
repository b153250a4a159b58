import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Child, cleanEnv, fixture, type FixtureMessage } from './helpers/child.js';

// The svc supervisor's way for Node children: messages over the IPC channel of a real fork.
const children: Child[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.killGroup();
});

const start = (env: NodeJS.ProcessEnv) => {
  const child = new Child('notify-child.mjs', cleanEnv(env));
  children.push(child);
  return child;
};
const isWatchdog = (m: FixtureMessage) => m.svc === 'watchdog';

describe('notify over the IPC channel (SVC_NOTIFY=ipc)', () => {
  it('sends { svc: "ready" } when ready() is called and heartbeats at half SVC_WATCHDOG_MS', async () => {
    const child = start({ SVC_NOTIFY: 'ipc', SVC_WATCHDOG_MS: '200' });
    await child.waitFor((m) => m.svc === 'ready');
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'ipc', heartbeatIntervalMs: 100 });
    // Several beats, each exactly the protocol's message.
    for (let n = 0; n < 3; n++) await child.waitFor(isWatchdog, child.messages.length);
    expect(child.messages.filter(isWatchdog).every((m) => Object.keys(m).length === 1)).toBe(true);
  });

  it('sends no heartbeat while the event loop is blocked, and beats again after', async () => {
    const child = start({ SVC_NOTIFY: 'ipc', SVC_WATCHDOG_MS: '100' });
    await child.waitFor((m) => m.fixture === 'ready');
    await child.waitFor(isWatchdog, child.messages.length);
    child.send({ command: 'block', ms: 1500 });
    await child.waitFor((m) => m.fixture === 'block-end');
    // The channel keeps the child's order: anything between the two markers was sent while blocked.
    const from = child.indexOf((m) => m.fixture === 'block-start');
    const to = child.indexOf((m) => m.fixture === 'block-end');
    const duringBlock = child.messages.slice(from + 1, to);
    expect(duringBlock).toEqual([]);
    await child.waitFor(isWatchdog, to + 1);
  });

  it('sends { svc: "stopping" } when the state moves to draining, and a status line', async () => {
    const child = start({ SVC_NOTIFY: 'ipc' });
    await child.waitFor((m) => m.fixture === 'ready');
    child.send({ command: 'status', text: 'warming\ncaches' });
    await child.waitFor((m) => m.fixture === 'status-sent');
    expect(child.messages.find((m) => m.svc === 'status')).toEqual({ svc: 'status', text: 'warming caches' });
    child.send({ command: 'setState', state: 'draining' });
    await child.waitFor((m) => m.svc === 'stopping');
  });

  it('sends no heartbeat when SVC_WATCHDOG_MS is not set', async () => {
    const child = start({ SVC_NOTIFY: 'ipc' });
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'ipc', heartbeatIntervalMs: null });
  });

  it('refuses a SVC_WATCHDOG_MS that is not a number, before sending anything', async () => {
    const child = start({ SVC_NOTIFY: 'ipc', SVC_WATCHDOG_MS: '10s' });
    const failed = await child.waitFor((m) => m.fixture === 'create-failed');
    expect(failed.code).toBe('EHEALTH_INVALID_OPTION');
    expect(child.messages.some((m) => m.svc !== undefined)).toBe(false);
  });
});

describe('a process without an IPC channel', () => {
  it('ignores an inherited SVC_NOTIFY=ipc in auto mode and refuses notify: "ipc"', async () => {
    // A grandchild inherits the variable but not the channel: it must not claim to be the service.
    const { stdout } = await promisify(execFile)(process.execPath, [fixture('no-channel.mjs')], {
      env: cleanEnv({ SVC_NOTIFY: 'ipc', SVC_WATCHDOG_MS: '1000' }),
    });
    expect(JSON.parse(stdout)).toEqual({ auto: 'none', forced: 'EHEALTH_INVALID_OPTION' });
  });
});
