import http from 'node:http';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Service, type ServiceOptions } from '../src/index.js';
import { fixture, Harness, NODE, waitFor } from './helpers.js';

const h = new Harness();
const services: Service[] = [];
afterEach(async () => {
  await Promise.allSettled(services.splice(0).map((s) => s.close()));
  await h.cleanup();
});

function service(options: Partial<ServiceOptions>): Service {
  const s = new Service({
    name: 'web',
    command: NODE,
    args: [fixture('fd-server.mjs')],
    logDir: join(h.tempDir(), 'logs'),
    readiness: { type: 'notify', timeout: 20_000 },
    stop: { timeout: 5_000 },
    ...options,
  });
  services.push(s);
  return s;
}

interface Answer {
  pid: number;
  version: string | null;
  instance: string | null;
  listenPid: string | null;
  listenFds: string | null;
  fdNames: string | null;
}

function get(port: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(JSON.parse(body) as Answer));
      })
      .on('error', reject);
  });
}

function port(s: Service): number {
  const listen = s.summary().listen;
  if (!listen) throw new Error('no socket');
  return listen.port;
}

describe('Service', () => {
  it('hands the socket it binds to every instance as fd 3, with LISTEN_PID the instance’s own pid', async () => {
    const s = service({ instances: 3, listen: { port: 0 } });
    await s.start();
    const rows = s.stats();
    expect(rows.map((r) => [r.instance, r.state])).toEqual([
      [0, 'running'],
      [1, 'running'],
      [2, 'running'],
    ]);
    expect(rows[0]!.service).toMatchObject({ state: 'running', instances: 3, listen: { host: '127.0.0.1', port: port(s) } });
    const seen = new Map<number, Answer>();
    for (let i = 0; i < 60 && seen.size < 2; i++) {
      const answer = await get(port(s));
      seen.set(answer.pid, answer);
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
    for (const answer of seen.values()) {
      expect(answer.listenPid).toBe(String(answer.pid));
      expect(answer.listenFds).toBe('1');
      expect(answer.fdNames).toBe('web');
      expect(rows.map((r) => r.pid)).toContain(answer.pid);
      expect(answer.instance).toBe(String(rows.find((r) => r.pid === answer.pid)!.instance));
    }
  });

  it('keeps the socket listening across a restart: a connection made while no instance accepts waits and is answered', async () => {
    const dir = h.tempDir();
    const envFile = join(dir, 'env');
    writeFileSync(envFile, 'LISTEN_DELAY_MS=0\n');
    const s = service({ listen: { port: 0 }, envFile });
    await s.start();
    const first = await get(port(s));
    // The next instance takes 1.5 s before it accepts: the request below is made in that gap.
    writeFileSync(envFile, 'LISTEN_DELAY_MS=1500\n');
    const starting = new Promise<void>((resolve) => {
      const onEvent = (e: { type: string; pid?: number }) => {
        if (e.type === 'spawned' && e.pid !== first.pid) {
          s.off('event', onEvent);
          resolve();
        }
      };
      s.on('event', onEvent);
    });
    const restarting = s.restart();
    await starting;
    expect(s.stats()[0]!.state).toBe('starting');
    const answer = await get(port(s));
    await restarting;
    expect(answer.pid).not.toBe(first.pid);
    expect(answer.pid).toBe(s.stats()[0]!.pid);
  });

  it('reload replaces every instance with one that runs the new definition; a failing replacement keeps the old ones', async () => {
    const dir = h.tempDir();
    const envFile = join(dir, 'env');
    writeFileSync(envFile, 'FAIL=0\n');
    const base = { name: 'web', command: NODE, args: [fixture('fd-server.mjs')], logDir: join(dir, 'logs'), readiness: { type: 'notify' as const }, envFile };
    const s = service({ ...base, instances: 2, listen: { port: 0 }, env: { VERSION: 'v1' } });
    await s.start();
    const oldPids = s.stats().map((r) => r.pid);

    const result = await s.reload({ ...base, instances: 2, listen: { port: 0 }, env: { VERSION: 'v2' } });
    expect(result).toEqual({ mode: 'reload', replaced: 2, warning: null });
    const newRows = s.stats();
    expect(newRows.map((r) => r.state)).toEqual(['running', 'running']);
    for (const r of newRows) expect(oldPids).not.toContain(r.pid);
    expect((await get(port(s))).version).toBe('v2');
    expect(newRows[0]!.service).toMatchObject({ reloads: 1, lastReload: { ok: true, error: null }, reloading: false });

    writeFileSync(envFile, 'FAIL=1\n');
    const failed = await s.reload().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failed).toMatchObject({ code: 'ERELOAD_FAILED', instance: 0, replaced: 0, lastExit: { code: 2, signal: null } });
    expect((failed as { stderrTail: string[] }).stderrTail.join('\n')).toContain('refusing to start: FAIL=1');
    const after = s.stats();
    expect(after.map((r) => r.pid)).toEqual(newRows.map((r) => r.pid));
    expect(after.map((r) => r.state)).toEqual(['running', 'running']);
    expect(after[0]!.service.lastReload).toMatchObject({ ok: false });
    expect((await get(port(s))).version).toBe('v2');
  });

  it('scale starts new instances numbered after the others and stops the highest ones gracefully', async () => {
    const s = service({ listen: { port: 0 } });
    await s.start();
    await s.scale(3);
    expect(s.stats().map((r) => [r.instance, r.state])).toEqual([
      [0, 'running'],
      [1, 'running'],
      [2, 'running'],
    ]);
    const pid0 = s.stats()[0]!.pid;
    await s.scale(1);
    const rows = s.stats();
    expect(rows.map((r) => [r.instance, r.state, r.pid])).toEqual([[0, 'running', pid0]]);
    expect(rows[0]!.service.instances).toBe(1);
    expect((await get(port(s))).pid).toBe(pid0);
  });

  it('without listen, reload restarts with a warning saying why', async () => {
    const s = new Service({ name: 'plain', command: NODE, args: [fixture('notify.mjs'), 'ipc'], logDir: join(h.tempDir(), 'logs'), readiness: { type: 'notify' } });
    services.push(s);
    await s.start();
    const pid = s.stats()[0]!.pid;
    const result = await s.reload();
    expect(result.mode).toBe('restart');
    expect(result.warning).toMatch(/no listen socket.*restarts it/);
    expect(s.stats()[0]!.pid).not.toBe(pid);
    expect(s.state).toBe('running');
  });

  it('reload(options) without listen restarts every instance with the new options, not the old ones again', async () => {
    const script = 'console.log("V=" + process.env.V + " pid " + process.pid); process.send({ svc: "ready" }); setInterval(() => {}, 1 << 30)';
    const base: ServiceOptions = { name: 'plain', command: NODE, args: ['-e', script], logDir: join(h.tempDir(), 'logs'), readiness: { type: 'notify' }, instances: 2, env: { V: 'one' } };
    const s = new Service(base);
    services.push(s);
    await s.start();
    const result = await s.reload({ ...base, env: { V: 'two' } });
    expect(result.mode).toBe('restart');
    const pids = s.stats().map((r) => r.pid);
    for (const pid of pids) await waitFor(() => s.recent('stdout', 10).includes(`V=two pid ${pid}`), `instance ${pid} to print the new value`);
    expect(s.stats().map((r) => r.restarts)).toEqual([1, 1]);
    // A reload of a stopped service starts it with the new options too.
    await s.stop();
    await s.reload({ ...base, env: { V: 'three' }, instances: 1 });
    const [row] = s.stats();
    await waitFor(() => s.recent('stdout', 10).includes(`V=three pid ${row!.pid}`), 'the new value after a reload of a stopped service');
  });

  it('closes the socket on stop: the port refuses connections again', async () => {
    const s = service({ listen: { port: 0 } });
    await s.start();
    const p = port(s);
    await s.stop();
    expect(s.summary().listen).toBeNull();
    await expect(get(p)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a port already taken fails start with ELISTEN, spawns nothing, and the service is failed saying why until a stop or a start that binds', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const busy = (taken.address() as net.AddressInfo).port;
      const s = service({ listen: { port: busy } });
      await expect(s.start()).rejects.toMatchObject({ code: 'ELISTEN', errno: 'EADDRINUSE', port: busy });
      expect(s.stats()[0]).toMatchObject({ spawns: 0, state: 'failed', failure: expect.stringContaining('EADDRINUSE') });
      expect(s.state).toBe('failed');
      expect(s.failure).toMatch(/EADDRINUSE/);
      expect(s.isSettled).toBe(true);
      await s.stop();
      expect([s.state, s.failure]).toEqual(['stopped', null]);
    } finally {
      taken.close();
    }
  });

  it('does not pass LISTEN_* variables on to a service that has no socket', async () => {
    const s = new Service({
      name: 'env',
      command: NODE,
      args: [fixture('print-env.mjs'), 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'SVC_INSTANCE'],
      env: { LISTEN_FDS: '1', LISTEN_PID: '1', LISTEN_FDNAMES: 'stale' },
      logDir: join(h.tempDir(), 'logs'),
      readiness: { startWindow: 0 }, // a one-shot: started at its spawn
      restart: { policy: 'never' },
    });
    services.push(s);
    await s.start();
    await waitFor(() => s.recent('stdout', 1).length === 1, 'the environment dump');
    expect(JSON.parse(s.recent('stdout', 1)[0]!)).toEqual({ LISTEN_FDS: null, LISTEN_PID: null, LISTEN_FDNAMES: null, SVC_INSTANCE: '0' });
  });

  it.each([
    [{ instances: 0 }, 'instances'],
    [{ instances: 65 }, 'instances'],
    [{ instances: 1.5 }, 'instances'],
    [{ listen: { port: 70_000 } }, 'listen.port'],
    [{ listen: { port: 80, extra: true } }, 'listen.extra'],
    [{ listen: { port: 80, backlog: 0 } }, 'listen.backlog'],
    [{ listen: { port: 80, host: '' } }, 'listen.host'],
    [{ listen: { port: 0 }, readiness: { type: 'tcp', port: 80 } }, 'readiness.type'],
    [{ listen: { port: 0 }, readiness: { type: 'http', url: 'http://127.0.0.1:1/' } }, 'readiness.type'],
    [{ instances: 2, lock: { backend: 'redis', url: 'redis://127.0.0.1:1' } }, 'lock'],
    [{ instance: 1 }, 'instance'],
  ])('refuses %j (EINVALID_OPTIONS naming %s)', (extra, option) => {
    expect(() => service(extra as Partial<ServiceOptions>)).toThrow(expect.objectContaining({ code: 'EINVALID_OPTIONS', option }));
  });

  it('a reload with another listen is refused before anything changes', async () => {
    const s = service({ listen: { port: 0 } });
    await s.start();
    const pid = s.stats()[0]!.pid;
    expect(() => s.reload({ name: 'web', command: NODE, logDir: h.tempDir(), listen: { port: 1 } })).toThrow(
      expect.objectContaining({ code: 'EINVALID_OPTIONS', option: 'listen' }),
    );
    expect(s.stats()[0]!.pid).toBe(pid);
  });
});
