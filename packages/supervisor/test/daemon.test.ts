import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectIpc, type IpcClient } from '@svc/ipc';
import { readLock } from '@svc/lock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, daemonPaths, readDaemonState, rowsAfterDaemon, type Daemon, type ProjectRef, type ServiceDefinition } from '../src/index.js';
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

const alpha: ProjectRef = { id: 'cfg-aaaaaaaaaaaa', config: '/srv/alpha/svc.config.yaml' };
const beta: ProjectRef = { id: 'cfg-bbbbbbbbbbbb', config: '/srv/beta/svc.config.yaml' };
const adhoc: ProjectRef = { id: 'adhoc', config: null };

function service(pidFile: string, extra: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return { command: NODE, args: [fixture('pid-file.mjs')], cwd: process.cwd(), env: { PID_FILE: pidFile }, readiness: { type: 'notify' }, stop: { timeout: 3000 }, ...extra };
}

function pids(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
}

async function daemon(home: string, extra = {}): Promise<Daemon> {
  const d = await createDaemon({ env: { SVC_HOME: home }, handleSignals: false, ...extra });
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
    const d = await daemon(home);
    const target = { project: alpha, service: 'counter' };
    await d.start(target, { definition: { command: NODE, args: [fixture('counter.mjs')], cwd: process.cwd(), stop: { timeout: 3000 } } });
    const c = await client(d.socketPath);
    await waitFor(() => d.service(target).recent('stdout', 1).length > 0, 'the first lines');
    const gaps: string[] = [];
    for (let round = 0; round < 10; round++) {
      const numbers: number[] = [];
      const sub = await c.subscribe('logs', { ...target, stream: 'stdout', lines: 20, follow: true }, (e) => {
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

  it('serves hello, start, stop, restart, status, metrics, logs and events over its admin socket', async () => {
    const home = h.tempDir();
    const d = await daemon(home);
    const c = await client(d.socketPath);
    expect(await c.call('hello', null)).toMatchObject({ pid: process.pid, version: d.version, protocol: 1 });
    const api = { project: alpha, service: 'api' };
    const worker = { project: alpha, service: 'worker' };
    await c.call('start', { ...api, definition: service(join(home, 'api.pids')) }, { timeoutMs: 20_000 });
    await c.call('start', { ...worker, definition: service(join(home, 'worker.pids')) }, { timeoutMs: 20_000 });
    const status = (await c.call('status', {})) as Array<{ name: string; state: string; project: ProjectRef }>;
    expect(status.map((s) => [s.project.id, s.name, s.state])).toEqual([
      [alpha.id, 'api', 'running'],
      [alpha.id, 'worker', 'running'],
    ]);

    const events: Array<{ type: string; service: string; project: string }> = [];
    const sub = await c.subscribe('events', { service: 'api' }, (e) => events.push(e as never));
    const [restarted] = (await c.call('restart', api, { timeoutMs: 20_000 })) as Array<{ state: string; restarts: number }>;
    expect(restarted).toMatchObject({ state: 'running', restarts: 1 });
    await waitFor(() => events.some((e) => e.type === 'ready'), 'the ready event');
    expect(events.every((e) => e.service === 'api' && e.project === alpha.id)).toBe(true);
    await sub.close();

    // The new instance reports ready over IPC, then prints: its line may reach the daemon after the
    // restart answered. Tail until both instances' lines are there (or fail after 20 s).
    let lines: string[] = [];
    for (const deadline = performance.now() + 20_000; lines.length < 2 && performance.now() < deadline; ) {
      await d.service(api).flushLogs();
      const tail: string[] = [];
      let ended = false;
      await c.subscribe('logs', { ...api, stream: 'stdout', lines: 10, follow: false }, (e) => tail.push((e as { line: string }).line), { onEnd: () => (ended = true) });
      await waitFor(() => ended, 'the end of the tail');
      lines = tail;
      if (lines.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('hello from '))).toBe(true);

    const metrics = (await c.call('metrics', null)) as { text: string };
    expect(metrics.text).toContain(`svc_service_up{project="${alpha.id}",service="api",instance="0"} 1`);

    await expect(c.call('start', { project: alpha, service: 'nope' })).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE' });
    await expect(c.call('start', { project: alpha, service: 42 })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
    await expect(c.call('start', { project: { id: '../x', config: null }, service: 'api' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
    await expect(c.call('start', { project: beta, service: 'x', definition: { command: NODE, cwd: 'relative' } })).rejects.toMatchObject({
      code: 'EINVALID_OPTIONS',
      data: { option: 'cwd' },
    });

    const stopped = (await c.call('stop', worker, { timeoutMs: 20_000 })) as { wasActive: boolean; rows: Array<{ state: string }> };
    expect(stopped.wasActive).toBe(true);
    expect(stopped.rows[0]!.state).toBe('stopped');
    for (const pid of pids(join(home, 'worker.pids'))) expect(procState(pid)).toBe('gone');
    // A stopped service is no longer listed; its lock is free.
    expect(((await c.call('status', {})) as Array<{ name: string }>).map((s) => s.name)).toEqual(['api']);
    expect((await readLock({ name: `svc-service-${alpha.id}-worker`, dir: d.paths.lockDir })).state).toBe('free');
  });

  it('the same name in two projects is two services, each with its own lock, logs and process', async () => {
    const home = h.tempDir();
    const d = await daemon(home);
    const a = join(home, 'a.pids');
    const b = join(home, 'b.pids');
    await d.start({ project: alpha, service: 'api' }, { definition: service(a) });
    await d.start({ project: beta, service: 'api' }, { definition: service(b) });
    expect(pids(a)).toHaveLength(1);
    expect(pids(b)).toHaveLength(1);
    expect(d.status().map((r) => [r.project.id, r.name, r.state])).toEqual([
      [alpha.id, 'api', 'running'],
      [beta.id, 'api', 'running'],
    ]);
    for (const project of [alpha, beta]) {
      expect((await readLock({ name: `svc-service-${project.id}-api`, dir: d.paths.lockDir })).state).toBe('held');
      expect(existsSync(join(d.paths.stateDir, 'logs', project.id, 'api.out.log'))).toBe(true);
    }
    await d.stop({ project: alpha, service: 'api' });
    expect(d.status().map((r) => [r.project.id, r.name, r.state])).toEqual([[beta.id, 'api', 'running']]);
    expect(procState(pids(b)[0]!)).toBe('alive');
  });

  it('refuses a second daemon for the same SVC_HOME, naming the holder', async () => {
    const home = h.tempDir();
    await daemon(home);
    await expect(daemon(home)).rejects.toMatchObject({ code: 'EDAEMON_LOCKED', holder: expect.objectContaining({ pid: process.pid }) });
  });

  it('exits once it runs nothing; a failed service is kept in the state file, shown by the next daemon and cleared by stop', async () => {
    const home = h.tempDir();
    const d = await daemon(home);
    await d.start({ project: alpha, service: 'api' }, { definition: service(join(home, 'a.pids')) });
    await expect(
      d.start({ project: adhoc, service: 'nope' }, { definition: { command: '/no/such/command', cwd: process.cwd(), restart: { crashLoop: { count: 1 } } } }),
    ).rejects.toMatchObject({ code: 'ESTART_FAILED' });
    // One service still runs: the daemon stays.
    expect(d.status().map((r) => [r.name, r.state])).toEqual([
      ['api', 'running'],
      ['nope', 'failed'],
    ]);
    await d.stop({ project: alpha, service: 'api' });
    await d.done;
    const { state } = readDaemonState(daemonPaths({ SVC_HOME: home }).stateFile);
    expect(state).toMatchObject({ exited: true });
    expect(rowsAfterDaemon(state!).map((r) => [r.project.id, r.name, r.state])).toEqual([['adhoc', 'nope', 'failed']]);

    // A new daemon shows the failure until it is stopped (cleared) or started again.
    const again = await daemon(home);
    expect(again.status().map((r) => [r.name, r.state, r.failure !== null])).toEqual([['nope', 'failed', true]]);
    const cleared = await again.stop({ project: adhoc, service: 'nope' });
    expect(cleared.wasActive).toBe(false);
    expect(again.status()).toEqual([]);
  });

  it('SIGTERM: graceful stop of every service of every project, then the daemon exits', async () => {
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

  it('SIGKILL of the daemon: no service process remains within 2 s, the state file says what died, a new daemon runs exactly one instance', async () => {
    const home = h.tempDir();
    const pidFile = join(home, 'a.pids');
    const host = await startHost(home, 'proj', { api: service(pidFile) });
    const [first] = pids(pidFile);
    // The state file is written a moment after each change (DAEMON_DEFAULTS.stateWriteDelayMs): the
    // daemon is killed once it lists the service, as any daemon that has run for longer than that does.
    const stateFile = daemonPaths({ SVC_HOME: home }).stateFile;
    await waitFor(() => readDaemonState(stateFile).state?.rows.some((r) => r.name === 'api' && r.pid === first) === true, 'the state file to list api');
    process.kill(host.child.pid!, 'SIGKILL');
    const killedAt = performance.now();
    await waitFor(() => procState(first!) !== 'alive', 'the orphan to die', 10_000);
    const tookMs = performance.now() - killedAt;
    expect(procState(first!)).not.toBe('alive');
    // The guard acts within 1 s (SIGTERM) / 2 s (SIGKILL); the bound is loose for a loaded machine.
    expect(tookMs).toBeLessThan(6000);
    const { state } = readDaemonState(stateFile);
    const died = rowsAfterDaemon(state!);
    expect(died.map((r) => [r.project.id, r.name, r.state, r.pid])).toEqual([['proj', 'api', 'crashed', null]]);
    expect(died[0]!.failure).toMatch(/supervisor died \(daemon pid \d+/);
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
    const d = await daemon(home);
    const web = { project: alpha, service: 'web' };
    await d.start(web, { definition: { command: NODE, args: [fixture('fd-server.mjs')], cwd: process.cwd(), listen: { port: 0 }, instances: 2, readiness: { type: 'notify' }, stop: { timeout: 3000 } } });
    const c = await client(d.socketPath);
    const pidsNow = () => d.status({ service: 'web' }).map((r) => r.pid);
    const before = pidsNow();
    expect(before.every((pid) => typeof pid === 'number')).toBe(true);

    await expect(c.call('reload', { ...web, definition: 'node server.js' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
    await expect(c.call('reload', { ...web, definition: { command: 42, cwd: process.cwd() } })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS' });
    await expect(c.call('reload', { ...web, definition: { command: NODE, cwd: process.cwd(), listen: { port: 1 } } })).rejects.toMatchObject({
      code: 'EINVALID_OPTIONS',
      data: { option: 'listen' },
    });
    await expect(c.call('reload', { project: alpha, service: '../etc' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });
    await expect(c.call('reload', { project: beta, service: 'web' })).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE' });
    await expect(c.call('scale', { ...web, instances: 0 })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS' });
    await expect(c.call('scale', { ...web, instances: 1e9 })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS' });
    await expect(c.call('scale', { ...web, instances: '3' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS' });

    expect(pidsNow()).toEqual(before);
    expect(d.status({ service: 'web' }).map((r) => r.state)).toEqual(['running', 'running']);
    expect(d.status({ service: 'web' })[0]!.service).toMatchObject({ instances: 2, reloads: 0, lastReload: null });
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
