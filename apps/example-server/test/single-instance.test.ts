import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, freePort, request, startServer, tempHome } from './helpers/server-process.js';

afterEach(cleanUp);

describe('one copy per port', () => {
  it('refuses a second copy on the same port with a friendly message and exit 1; the first keeps serving', async () => {
    const home = tempHome();
    const port = String(await freePort());
    const first = startServer({ SVC_HOME: home, PORT: port });
    const url = await first.ready();

    const second = startServer({ SVC_HOME: home, PORT: port });
    expect(await second.exited).toEqual({ code: 1, signal: null });
    const message = second.stderr().trim();
    expect(message).toMatch(
      new RegExp(
        `^svc-example-server is already running: pid ${first.pid}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, port ${port}, ` +
          `stop it with \`kill -TERM ${first.pid}\`, health http://127\\.0\\.0\\.1:${port}/health$`,
      ),
    );
    expect(second.stdout()).toBe('');

    expect(first.hasExited()).toBe(false);
    expect((await request(`${url}/`)).json).toMatchObject({ pid: first.pid });
  });

  it('releases the lock on a graceful stop, so the next copy starts', async () => {
    const home = tempHome();
    const port = String(await freePort());
    const first = startServer({ SVC_HOME: home, PORT: port });
    await first.ready();
    expect(readdirSync(path.join(home, 'run'))).toContain(`example-server-${port}.lock`);
    first.process.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(readdirSync(path.join(home, 'run'))).not.toContain(`example-server-${port}.lock`);

    const next = startServer({ SVC_HOME: home, PORT: port });
    expect((await request(`${await next.ready()}/`)).json).toMatchObject({ pid: next.pid });
  });

  it('after a SIGKILL the next copy starts at once: a dead holder does not count', async () => {
    const home = tempHome();
    const port = String(await freePort());
    const first = startServer({ SVC_HOME: home, PORT: port });
    await first.ready();
    first.process.kill('SIGKILL');
    await first.exited;
    const next = startServer({ SVC_HOME: home, PORT: port });
    expect((await request(`${await next.ready()}/`)).json).toMatchObject({ pid: next.pid });
  });

  it('with LOCK=0 takes no lock; a second copy then fails on the port itself (EDRAIN_LISTEN, exit 1)', async () => {
    const home = tempHome();
    const port = String(await freePort());
    const first = startServer({ SVC_HOME: home, PORT: port, LOCK: '0' });
    expect(await first.ready()).toBe(`http://127.0.0.1:${port}`);
    expect(first.stdout()).toContain('no lock');

    const second = startServer({ SVC_HOME: home, PORT: port, LOCK: '0' });
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toMatch(/EDRAIN_LISTEN: .*EADDRINUSE/);
    expect(first.hasExited()).toBe(false);
  });
});
