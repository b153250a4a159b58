import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Child, cleanEnv } from './helpers/child.js';

// The any-language variant: lines over a real Unix stream socket the test listens on.
interface Line {
  text: string;
  at: number;
  connection: number;
}

class NotifyServer {
  readonly lines: Line[] = [];
  readonly sockets: Socket[] = [];
  #waiters: Array<() => void> = [];
  constructor(readonly server: Server) {
    server.on('connection', (socket) => {
      const connection = this.sockets.push(socket);
      let buffered = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) !== -1) {
          this.lines.push({ text: buffered.slice(0, newline), at: Date.now(), connection });
          buffered = buffered.slice(newline + 1);
        }
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }
  async waitFor(match: (line: Line) => boolean, from = 0): Promise<Line> {
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

let dir: string;
let notify: NotifyServer;
let path: string;
const children: Child[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'svc-health-notify-'));
  path = join(dir, 'notify.sock');
  notify = new NotifyServer(createServer());
  await new Promise<void>((resolve) => notify.server.listen(path, resolve));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.killGroup();
  for (const socket of notify.sockets) socket.destroy();
  await new Promise<void>((resolve) => notify.server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const start = (env: NodeJS.ProcessEnv) => {
  const child = new Child('notify-child.mjs', cleanEnv(env));
  children.push(child);
  return child;
};
const isBeat = (line: Line) => line.text === 'WATCHDOG=1';

describe('notify over the SVC_NOTIFY_SOCKET stream socket', () => {
  it('opens with MAINPID=<pid>, then READY=1, then heartbeats at half SVC_WATCHDOG_MS', async () => {
    const child = start({ SVC_NOTIFY_SOCKET: path, SVC_WATCHDOG_MS: '200' });
    const ready = await child.waitFor((m) => m.fixture === 'ready');
    expect(ready).toMatchObject({ via: 'socket', heartbeatIntervalMs: 100 });
    await notify.waitFor((line) => line.text === 'READY=1');
    expect(notify.lines[0]!.text).toBe(`MAINPID=${child.process.pid}`);
    for (let n = 0; n < 3; n++) await notify.waitFor(isBeat, notify.lines.length);
    // One connection carries every line.
    expect(new Set(notify.lines.map((line) => line.connection)).size).toBe(1);
  });

  it('sends no heartbeat while the event loop is blocked, and beats again after', async () => {
    const child = start({ SVC_NOTIFY_SOCKET: path, SVC_WATCHDOG_MS: '100' });
    await child.waitFor((m) => m.fixture === 'ready');
    await notify.waitFor(isBeat);
    child.send({ command: 'block', ms: 3000 });
    const end = (await child.waitFor((m) => m.fixture === 'block-end')) as { at: number };
    const begin = child.messages.find((m) => m.fixture === 'block-start') as { at: number };
    // Beats sent just before the block may still be read a little after it began (the test
    // process has its own scheduling), hence the 1 s grace; unblocked, ~20 beats would land here.
    const during = notify.lines.filter((line) => isBeat(line) && line.at > begin.at + 1000 && line.at < end.at);
    expect(during).toEqual([]);
    const after = notify.lines.length;
    await notify.waitFor(isBeat, after);
  });

  it('reconnects with MAINPID first after the supervisor drops the connection', async () => {
    const child = start({ SVC_NOTIFY_SOCKET: path, SVC_WATCHDOG_MS: '100' });
    await notify.waitFor(isBeat);
    notify.sockets[0]!.destroy();
    const beat = await notify.waitFor((line) => isBeat(line) && line.connection === 2);
    const second = notify.lines.filter((line) => line.connection === 2);
    expect(second[0]!.text).toBe(`MAINPID=${child.process.pid}`);
    expect(second).toContain(beat);
  });

  it('stops the heartbeat and closes the connection on close()', async () => {
    const child = start({ SVC_NOTIFY_SOCKET: path, SVC_WATCHDOG_MS: '100' });
    await notify.waitFor(isBeat);
    const closedEvent = new Promise<void>((resolve) => notify.sockets[0]!.on('end', () => resolve()));
    child.send({ command: 'close', periods: 5 });
    const closed = (await child.waitFor((m) => m.fixture === 'closed')) as { at: number };
    await child.waitFor((m) => m.fixture === 'waited');
    await closedEvent;
    // The child waited five periods on its own clock after close(): none of them brought a beat.
    expect(notify.lines.filter((line) => isBeat(line) && line.at > closed.at + 200)).toEqual([]);
  });

  it('sends STOPPING=1 when draining begins', async () => {
    const child = start({ SVC_NOTIFY_SOCKET: path });
    await child.waitFor((m) => m.fixture === 'ready');
    child.send({ command: 'setState', state: 'draining' });
    await notify.waitFor((line) => line.text === 'STOPPING=1');
    expect(notify.lines.map((line) => line.text)).toEqual([`MAINPID=${child.process.pid}`, 'READY=1', 'STOPPING=1']);
  });

  it('rejects ready() with EHEALTH_NOTIFY_FAILED when nobody listens on the socket', async () => {
    const child = start({ SVC_NOTIFY_SOCKET: join(dir, 'nobody.sock') });
    const failed = await child.waitFor((m) => m.fixture === 'ready-failed');
    expect(failed).toMatchObject({ code: 'EHEALTH_NOTIFY_FAILED', via: 'socket' });
  });

  it('refuses a relative SVC_NOTIFY_SOCKET', async () => {
    const child = start({ SVC_NOTIFY_SOCKET: 'notify.sock' });
    const failed = await child.waitFor((m) => m.fixture === 'create-failed');
    expect(failed.code).toBe('EHEALTH_INVALID_OPTION');
  });
});
