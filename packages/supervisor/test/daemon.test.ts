import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectIpc, type IpcClient } from '@svc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon, type ServiceDefinition } from '../src/index.js';
import { Harness, NODE, fixture, procState, waitFor } from './helpers.js';

const h = new Harness();
const daemons: Daemon[] = [];
const clients: IpcClient[] = [];
const hosts: ChildProcess[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(daemons.splice(0).map((d) => d.close()));
  for (const host of hosts.splice(0)) {
    try {
      process.kill(-host.pid!, 'SIGKILL');
    } catch {
      // The host already exited.
    }
  }
  await h.cleanup();
});

function service(pidFile: string, extra: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return { command: NODE, args: [fixture('pid-file.mjs')], env: { PID_FILE: pidFile }, readiness: { type: 'notify' }, stop: { timeout: 3000 }, ...extra };
}

function pids(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
}

async function daemon(home: string, id: string, services: Record<string, ServiceDefinition>, extra = {}): Promise<Daemon> {
  const d = await createDaemon({ id, services, env: { SVC_HOME: home }, handleSignals: false, ...extra });
  daemons.push(d);
  return d;
}

async function client(path: string): Promise<IpcClient> {
  const c = await connectIpc(path);
  clients.push(c);
  return c;
}

describe('daemon', () => {
  it('logs: tail then follow meet exactly — no line lost in the writer buffer, none repeated', async () => {
    const home = h.tempDir();
    const d = await daemon(home, 'follow', { counter: { command: NODE, args: [fixture('counter.mjs')], stop: { timeout: 3000 } } });
    const c = await client(d.socketPath);
    await waitFor(() => d.service('counter').recent('stdout', 1).length > 0, 'the first lines');
    const gaps: string[] = [];
    for (let round = 0; round < 10; round++) {
      const numbers: number[] = [];
      const sub = await c.subscribe('logs', { service: 'counter', stream: 'stdout', lines: 20, follow: true }, (e) => {
        numbers.push(Number((e as { line: string }).line.split(' ')[1]));
      });
      await waitFor(() => numbers.length >= 1500, 'followed lines');
      await sub.close();
      for (let i = 1; i < numbers.length; i++) {
        if (numbers[i] !== numbers[i - 1]! + 1) gaps.push(`round ${round}: ${numbers[i - 1]} → ${numbers[i]} at ${i}`);
      }
    }
    expect(gaps).toEqual([]);
  });

  it('serves start, stop, restart, status, metrics, logs and events over its admin socket', async () => {
    const home = h.tempDir();
    const d = await daemon(home, 'proj', { api: service(join(home, 'api.pids')), worker: service(join(home, 'worker.pids')) });
    const c = await client(d.socketPath);
    const status = (await c.call('status', {})) as Array<{ name: string; state: string }>;
    expect(status.map((s) => [s.name, s.state])).toEqual([['api', 'running'], ['worker', 'running']]);

    const events: Array<{ type: string; service: string }> = [];
    const sub = await c.subscribe('events', { service: 'api' }, (e) => events.push(e as never));
    const [restarted] = (await c.call('restart', { service: 'api' }, { timeoutMs: 20_000 })) as Array<{ state: string; restarts: number }>;
    expect(restarted).toMatchObject({ state: 'running', restarts: 1 });
    await waitFor(() => events.some((e) => e.type === 'ready'), 'the ready event');
    expect(events.every((e) => e.service === 'api')).toBe(true);
    await sub.close();

    await d.service('api').flushLogs();
    const lines: string[] = [];
    let ended = false;
    await c.subscribe('logs', { service: 'api', lines: 10 }, (e) => lines.push((e as { line: string }).line), { onEnd: () => (ended = true) });
    await waitFor(() => ended, 'the end of the tail');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('hello from '))).toBe(true);

    const metrics = (await c.call('metrics', {})) as { text: string };
    expect(metrics.text).toContain('svc_service_up{service="api",instance="0"} 1');

    await expect(c.call('start', { service: 'nope' })).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE' });
    await expect(c.call('start', { service: 42 })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });

    const [stopped] = (await c.call('stop', { service: 'worker' }, { timeoutMs: 20_000 })) as Array<{ state: string }>;
    expect(stopped!.state).toBe('stopped');
    for (const pid of pids(join(home, 'worker.pids'))) expect(procState(pid)).toBe('gone');
  });

  it('refuses a second daemon for the same id, and a service already run by another daemon, naming the holder', async () => {
    const home = h.tempDir();
    await daemon(home, 'proj', { api: service(join(home, 'a.pids')) });
    await expect(daemon(home, 'proj', { api: service(join(home, 'b.pids')) })).rejects.toMatchObject({
      code: 'EDAEMON_LOCKED',
      holder: expect.objectContaining({ pid: process.pid }),
    });
    await expect(daemon(home, 'other', { api: service(join(home, 'c.pids')) })).rejects.toMatchObject({
      code: 'ESERVICE_LOCKED',
      holder: expect.objectContaining({ metadata: expect.objectContaining({ daemon: 'proj' }) }),
    });
    expect(pids(join(home, 'a.pids'))).toHaveLength(1);
    expect(pids(join(home, 'b.pids'))).toHaveLength(0);
    expect(pids(join(home, 'c.pids'))).toHaveLength(0);
  });

  it('exits when it runs no service any more, releasing its locks', async () => {
    const home = h.tempDir();
    const d = await daemon(home, 'proj', { api: service(join(home, 'a.pids')) });
    await d.stop('api');
    await d.done;
    // The locks are free: the same id starts again.
    const again = await daemon(home, 'proj', { api: service(join(home, 'a.pids')) });
    expect(again.status()[0]!.state).toBe('running');
  });

  it('SIGTERM: graceful stop of every service, then the daemon exits', async () => {
    const home = h.tempDir();
    const host = await startHost(home, 'proj', { api: service(join(home, 'a.pids')), b: service(join(home, 'b.pids')) });
    const children = [...pids(join(home, 'a.pids')), ...pids(join(home, 'b.pids'))];
    expect(children).toHaveLength(2);
    host.child.kill('SIGTERM');
    const code = await new Promise((resolve) => host.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(host.output()).toContain('daemon done');
    for (const pid of children) expect(procState(pid)).toBe('gone');
  });

  it('SIGKILL of the daemon: no service process remains within 2 s; a new daemon runs exactly one instance', async () => {
    const home = h.tempDir();
    const pidFile = join(home, 'a.pids');
    const host = await startHost(home, 'proj', { api: service(pidFile) });
    const [first] = pids(pidFile);
    process.kill(host.child.pid!, 'SIGKILL');
    const killedAt = performance.now();
    await waitFor(() => procState(first!) !== 'alive', 'the orphan to die', 10_000);
    const tookMs = performance.now() - killedAt;
    expect(procState(first!)).not.toBe('alive');
    // The guard acts within 1 s (SIGTERM) / 2 s (SIGKILL); the bound is loose for a loaded machine.
    expect(tookMs).toBeLessThan(6000);
    await startHost(home, 'proj', { api: service(pidFile) });
    const all = pids(pidFile);
    expect(all).toHaveLength(2);
    expect(all.filter((pid) => procState(pid) === 'alive')).toEqual([all[1]]);
  });

  it('SIGHUP restarts the running services', async () => {
    const home = h.tempDir();
    const pidFile = join(home, 'a.pids');
    const host = await startHost(home, 'proj', { api: service(pidFile) });
    host.child.kill('SIGHUP');
    await waitFor(() => pids(pidFile).length === 2, 'the restarted instance');
    const [old, fresh] = pids(pidFile);
    await waitFor(() => procState(old!) !== 'alive', 'the old instance to stop');
    expect(procState(fresh!)).toBe('alive');
  });

  it('reload and scale refuse bad requests with a clear code and change nothing', async () => {
    const home = h.tempDir();
    const d = await daemon(home, 'bad', {
      web: { command: NODE, args: [fixture('fd-server.mjs')], listen: { port: 0 }, instances: 2, readiness: { type: 'notify' }, stop: { timeout: 3000 } },
    });
    const c = await client(d.socketPath);
    const pids = () => d.status('web').map((r) => r.pid);
    const before = pids();
    expect(before.every((pid) => typeof pid === 'number')).toBe(true);

    await expect(c.call('reload', { service: 'web', definition: 'node server.js' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
    await expect(c.call('reload', { service: 'web', definition: { command: 42 } })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS' });
    await expect(c.call('reload', { service: 'web', definition: { command: NODE, listen: { port: 1 } } })).rejects.toMatchObject({
      code: 'EINVALID_OPTIONS',
      data: { option: 'listen' },
    });
    await expect(c.call('reload', { service: '../etc' })).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE' });
    await expect(c.call('scale', { service: 'web', instances: 0 })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS' });
    await expect(c.call('scale', { service: 'web', instances: 1e9 })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS' });
    await expect(c.call('scale', { service: 'web', instances: '3' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });

    expect(pids()).toEqual(before);
    expect(d.status('web').map((r) => r.state)).toEqual(['running', 'running']);
    expect(d.status('web')[0]!.service).toMatchObject({ instances: 2, reloads: 0, lastReload: null });
  });

  it('SIGHUP reloads a service with listen: replacements first, the old instances stopped after, the socket unchanged', async () => {
    const home = h.tempDir();
    const host = await startHost(home, 'hup', {
      web: { command: NODE, args: [fixture('fd-server.mjs')], listen: { port: 0 }, instances: 2, readiness: { type: 'notify' }, stop: { timeout: 3000 } },
    });
    const socketPath = (JSON.parse(host.output().split('\n')[0]!) as { socket: string }).socket;
    const c = await client(socketPath);
    type Row = { pid: number; state: string; service: { reloads: number; listen: { port: number } } };
    const before = (await c.call('status', { service: 'web' })) as Row[];
    expect(before.map((r) => r.state)).toEqual(['running', 'running']);
    const events: Array<{ type: string }> = [];
    const sub = await c.subscribe('events', { service: 'web' }, (e) => events.push(e as never));
    host.child.kill('SIGHUP');
    await waitFor(() => events.some((e) => e.type === 'reload-done'), 'the reload to finish');
    await sub.close();
    const after = (await c.call('status', { service: 'web' })) as Row[];
    expect(after.map((r) => r.state)).toEqual(['running', 'running']);
    for (const r of after) expect(before.map((b) => b.pid)).not.toContain(r.pid);
    expect(after[0]!.service.reloads).toBe(1);
    expect(after[0]!.service.listen.port).toBe(before[0]!.service.listen.port);
    // Each old instance was stopped only after its replacement was ready.
    const order = events.map((e) => e.type).filter((t) => t === 'ready' || t === 'stop-requested');
    expect(order).toEqual(['ready', 'stop-requested', 'ready', 'stop-requested']);
  });
});

async function startHost(home: string, id: string, services: Record<string, ServiceDefinition>) {
  const file = join(home, `${id}.services.json`);
  writeFileSync(file, JSON.stringify(services));
  const child = spawn(NODE, [fixture('daemon-host.mjs'), home, id, file], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  hosts.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => output.includes('"socket"') || child.exitCode !== null, 'the daemon to be ready');
  if (child.exitCode !== null) throw new Error(`daemon host exited ${child.exitCode}: ${output}`);
  return { child, output: () => output };
}
