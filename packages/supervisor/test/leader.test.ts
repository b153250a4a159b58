import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectIpc, type IpcClient } from '@svc/ipc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllServers, type RedisServer } from '../../lock/test/servers.js';
import type { ServiceDefinition, SupervisorStats } from '../src/index.js';
import { Harness, NODE, fixture, procState, recordEvents, waitFor, waitForEvent } from './helpers.js';

/*
 * One active instance across hosts, against a real redis-server. Each "host" is a daemon process
 * (test/fixtures/daemon-host.mjs, the built package, as `svc run` runs it) with its own SVC_HOME,
 * so that the per-host file locks do not see each other and only the Redis lease decides.
 */

const TTL_MS = 2_000;
const RENEW_MS = Math.round(TTL_MS / 3);

interface Record_ {
  event: 'start' | 'tick' | 'stop';
  pid: number;
  token: string | null;
  at: number;
}

const h = new Harness();
const hosts: ChildProcess[] = [];
const clients: IpcClient[] = [];
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await stopAllServers();
});
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  for (const host of hosts.splice(0)) {
    try {
      process.kill(-host.pid!, 'SIGKILL');
    } catch {
      // The host already exited.
    }
  }
  await h.cleanup();
});

function records(file: string): Record_[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record_) : [];
}

function starts(file: string): Record_[] {
  return records(file).filter((r) => r.event === 'start');
}

function leaderService(recordFile: string, key: string): ServiceDefinition {
  return {
    command: NODE,
    args: [fixture('leader-service.mjs')],
    env: { RECORD_FILE: recordFile },
    readiness: { type: 'notify' },
    stop: { timeout: 3000 },
    lock: { backend: 'redis', url: redis.url, ttl: TTL_MS, key },
  };
}

interface Host {
  child: ChildProcess;
  pid: number;
  client: IpcClient;
}

async function startHost(services: Record<string, ServiceDefinition>): Promise<Host> {
  const home = h.tempDir();
  const file = join(home, 'services.json');
  writeFileSync(file, JSON.stringify(services));
  const child = spawn(NODE, [fixture('daemon-host.mjs'), home, 'leader', file], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  hosts.push(child);
  const socket = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { socket: string }).socket);
    });
    child.once('exit', (code) => reject(new Error(`daemon host exited (${code}) before serving: ${out}`)));
  });
  const client = await connectIpc(socket);
  clients.push(client);
  return { child, pid: child.pid!, client };
}

async function stateOf(host: Host, service: string): Promise<SupervisorStats> {
  const [stats] = (await host.client.call('status', { service })) as SupervisorStats[];
  return stats!;
}

/** Polls every host until exactly one runs the service and every other one is standby. */
async function electedLeader(live: Host[], service: string): Promise<{ leader: Host; standbys: Host[]; stats: SupervisorStats }> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const all = await Promise.all(live.map(async (host) => ({ host, stats: await stateOf(host, service) })));
    const running = all.filter((s) => s.stats.state === 'running');
    if (running.length === 1 && all.every((s) => s.stats.state === 'running' || s.stats.state === 'standby')) {
      return { leader: running[0]!.host, standbys: all.filter((s) => s.stats.state === 'standby').map((s) => s.host), stats: running[0]!.stats };
    }
    if (performance.now() > deadline) throw new Error(`no single leader: ${JSON.stringify(all.map((s) => s.stats.state))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each instance's [first, last] record time; no two may overlap, on the one clock of this host. */
function assertNoOverlap(all: Record_[]): void {
  const spans = new Map<number, { from: number; to: number }>();
  for (const r of all) {
    const span = spans.get(r.pid);
    if (span) span.to = Math.max(span.to, r.at);
    else spans.set(r.pid, { from: r.at, to: r.at });
  }
  const ordered = [...spans.values()].sort((a, b) => a.from - b.from);
  for (let i = 1; i < ordered.length; i++) expect(ordered[i]!.from, `instance ${i} started before instance ${i - 1} ended`).toBeGreaterThanOrEqual(ordered[i - 1]!.to);
}

describe('leader election over a Redis lease', () => {
  it('three daemons: one runs the service, the others are standby; SIGKILL of the leader hands it over with a larger fencing token', async () => {
    const recordFile = join(h.tempDir(), 'records.jsonl');
    const services = { worker: leaderService(recordFile, `svc-leader-${process.pid}-kill`) };
    const three = await Promise.all([startHost(services), startHost(services), startHost(services)]);

    const first = await electedLeader(three, 'worker');
    expect(first.standbys).toHaveLength(2);
    for (const standby of first.standbys) {
      const stats = await stateOf(standby, 'worker');
      expect(stats.pid).toBeNull();
      expect(stats.fencingToken).toBeNull();
    }
    await waitFor(() => starts(recordFile).length === 1, 'the leader service started');
    const [oldStart] = starts(recordFile);
    expect(oldStart!.token).toMatch(/^\d+$/);
    expect(first.stats.fencingToken).toBe(oldStart!.token);
    expect(first.stats.pid).toBe(oldStart!.pid);

    const killedAt = Date.now();
    process.kill(first.leader.pid, 'SIGKILL');
    // Generous: TTL + one renewal interval is the target, the slack is for a loaded 2-core machine.
    await waitFor(() => starts(recordFile).length >= 2, 'a standby running the service', TTL_MS + RENEW_MS + 25_000);
    const newStart = starts(recordFile)[1]!;
    expect(newStart.pid).not.toBe(oldStart!.pid);
    expect(newStart.at).toBeGreaterThan(killedAt);
    expect(BigInt(newStart.token!)).toBeGreaterThan(BigInt(oldStart!.token!));
    // The old instance went with its supervisor (the orphan guard), before the new one started.
    await waitFor(() => procState(oldStart!.pid) === 'gone', 'the old instance gone');
    assertNoOverlap(records(recordFile));

    const survivors = three.filter((host) => host !== first.leader);
    const second = await electedLeader(survivors, 'worker');
    expect(second.stats.pid).toBe(newStart.pid);
    expect(second.stats.fencingToken).toBe(newStart.token);
    expect(starts(recordFile)).toHaveLength(2);
  });

  it('SIGTERM to the leader (a graceful stop) releases the lease at once: the standby takes over, the old instance stopped first', async () => {
    const recordFile = join(h.tempDir(), 'records.jsonl');
    const services = { worker: leaderService(recordFile, `svc-leader-${process.pid}-stop`) };
    const two = await Promise.all([startHost(services), startHost(services)]);
    const first = await electedLeader(two, 'worker');
    await waitFor(() => starts(recordFile).length === 1, 'the leader service started');
    const exited = new Promise<number | null>((resolve) => first.leader.child.once('exit', (code) => resolve(code)));
    process.kill(first.leader.pid, 'SIGTERM');
    await waitFor(() => starts(recordFile).length === 2, 'the standby running the service');
    const all = records(recordFile);
    const [oldStart, newStart] = starts(recordFile);
    const stopRecord = all.find((r) => r.event === 'stop' && r.pid === oldStart!.pid);
    expect(stopRecord, 'the old instance stopped gracefully').toBeDefined();
    expect(newStart!.at).toBeGreaterThanOrEqual(stopRecord!.at);
    expect(BigInt(newStart!.token!)).toBeGreaterThan(BigInt(oldStart!.token!));
    assertNoOverlap(all);
    expect(await exited).toBe(0);
  });

  it('a leader whose lease is taken from it kills its service, goes back to standby and leads again under a larger token', async () => {
    const recordFile = join(h.tempDir(), 'records.jsonl');
    const key = `svc-leader-${process.pid}-lost`;
    const sup = h.supervisor({ name: 'worker', ...leaderService(recordFile, key) });
    const events = recordEvents(sup);
    await sup.start();
    await waitForEvent(events, (e) => e.type === 'ready', 'the service ready');
    const [oldStart] = starts(recordFile);
    // The server forgets the lease (as after a failover without the key): the next renewal finds it gone.
    const del = spawnSync('redis-cli', ['-p', String(redis.port), 'DEL', `svc:lock:{${key}}`], { encoding: 'utf8' });
    expect(del.stdout.trim()).toBe('1');
    await waitForEvent(events, (e) => e.type === 'lease-lost', 'lease-lost');
    const exited = await waitForEvent(events, (e) => e.type === 'exited', 'the service killed');
    expect(exited.signal).toBe('SIGKILL');
    expect(exited.reason).toBe('lease-lost');
    expect(events.some((e) => e.type === 'state' && e.to === 'standby' && e.from === 'stopping')).toBe(true);
    await waitFor(() => starts(recordFile).length === 2, 'the service running again under a new lease');
    const newStart = starts(recordFile)[1]!;
    expect(BigInt(newStart.token!)).toBeGreaterThan(BigInt(oldStart!.token!));
    expect(procState(oldStart!.pid)).not.toBe('alive');
    assertNoOverlap(records(recordFile));
    expect(sup.stats().crashes).toBe(0);
  });

  it('refuses a bad lock option before anything starts, and a standby stops on request', async () => {
    expect(() => h.supervisor({ lock: { backend: 'etcd' as 'redis', url: 'redis://x' } })).toThrow(/lock\.backend/);
    expect(() => h.supervisor({ lock: { backend: 'redis', url: 'postgres://x' } })).toThrow(/lock\.url/);
    expect(() => h.supervisor({ lock: { backend: 'postgres', url: 'postgres://x', ttl: 50 } })).toThrow(/lock\.ttl/);
    expect(() => h.supervisor({ lock: { backend: 'redis', url: 'redis://x', key: '../x' } })).toThrow(/lock\.key/);

    const recordFile = join(h.tempDir(), 'records.jsonl');
    const key = `svc-leader-${process.pid}-standby`;
    const leader = h.supervisor({ name: 'worker', ...leaderService(recordFile, key) });
    await leader.start();
    await waitFor(() => leader.state === 'running', 'the leader running');
    const standby = h.supervisor({ name: 'worker', ...leaderService(recordFile, key) });
    await standby.start();
    expect(standby.state).toBe('standby');
    expect(standby.stats().fencingToken).toBeNull();
    await standby.stop();
    expect(standby.state).toBe('stopped');
    await leader.stop();
    expect(starts(recordFile)).toHaveLength(1);
  });
});
