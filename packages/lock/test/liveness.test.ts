import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, isHolderAlive, readLock, type LockRecord } from '../src/index.js';
import { killAll, startHolder, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => {
  killAll();
  cleanup();
});

const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const startTimeOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};
const stateOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
};

/** Writes a lock directory by hand with the given record fields, as a crashed holder would leave it. */
function plantLock(name: string, fields: Partial<LockRecord>, mtime?: Date): string {
  const lockPath = path.join(dir, `${name}.lock`);
  mkdirSync(lockPath, { mode: 0o700 });
  const record: LockRecord = {
    version: 1,
    name,
    pid: 1,
    processStartTime: '1',
    bootId: bootId(),
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    instanceId: `planted-${Math.random()}`,
    metadata: {},
    ...fields,
  };
  const file = path.join(lockPath, 'holder.json');
  writeFileSync(file, JSON.stringify(record));
  if (mtime) utimesSync(file, mtime, mtime);
  return lockPath;
}

function spawnSleeper(): Promise<number> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  afterEachKill.push(() => child.kill('SIGKILL'));
  return new Promise((resolve) => child.once('spawn', () => resolve(child.pid!)));
}
const afterEachKill: Array<() => void> = [];
afterEach(() => {
  for (const kill of afterEachKill.splice(0)) kill();
});

describe('holder liveness on this host', () => {
  it('a SIGKILLed holder is detected at once: the next acquire succeeds without any stale window', async () => {
    const holder = startHolder(dir, 'api', 'hold');
    await holder.next('acquired');
    holder.child.kill('SIGKILL');
    await holder.exited;
    // waitMs 0: it must succeed on the first attempt, not after a timeout.
    const handle = await acquireLock({ dir, name: 'api', staleMs: 3_600_000, heartbeatMs: 1_000_000 });
    expect(handle.record.pid).toBe(process.pid);
    await handle.release();
  });

  it('PID reuse: a record naming a live unrelated process with another start time is stale, and that process is never signalled', async () => {
    const pid = await spawnSleeper();
    const realStart = startTimeOf(pid);
    plantLock('api', { pid, processStartTime: String(Number(realStart) - 1000) });

    const status = await readLock({ dir, name: 'api' });
    expect(status).toMatchObject({ state: 'stale', liveness: 'pid-reused' });

    const handle = await acquireLock({ dir, name: 'api' });
    expect(handle.record.pid).toBe(process.pid);
    await handle.release();
    // The unrelated process is untouched: still running, same start time.
    expect(stateOf(pid)).toMatch(/[SR]/);
    expect(startTimeOf(pid)).toBe(realStart);
  });

  it('the same record with the right start time counts as alive', async () => {
    const pid = await spawnSleeper();
    plantLock('api', { pid, processStartTime: startTimeOf(pid) });
    await expect(acquireLock({ dir, name: 'api' })).rejects.toMatchObject({ code: 'ELOCKED', holder: { pid } });
    const status = await readLock({ dir, name: 'api' });
    expect(status.state === 'held' && isHolderAlive(status.holder!)).toBe(true);
  });

  it('a zombie holder counts as dead', async () => {
    // python3 forks a child that exits at once and is never reaped: a zombie.
    const parent = spawn('python3', ['-c', 'import os,time\npid=os.fork()\nif pid==0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(60)'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    afterEachKill.push(() => parent.kill('SIGKILL'));
    const zombie = Number(await new Promise<string>((resolve) => createInterface({ input: parent.stdout }).once('line', resolve)));
    await expect.poll(() => stateOf(zombie), { timeout: 10_000 }).toBe('Z');
    plantLock('api', { pid: zombie, processStartTime: startTimeOf(zombie) });

    expect(await readLock({ dir, name: 'api' })).toMatchObject({ state: 'stale', liveness: 'zombie' });
    const handle = await acquireLock({ dir, name: 'api' });
    await handle.release();
  });

  it('a record from an earlier boot is stale', async () => {
    plantLock('api', { pid: process.pid, processStartTime: startTimeOf(process.pid), bootId: '00000000-0000-0000-0000-000000000000' });
    expect(await readLock({ dir, name: 'api' })).toMatchObject({ state: 'stale', liveness: 'other-boot' });
    const handle = await acquireLock({ dir, name: 'api' });
    await handle.release();
  });

  it('an event-loop stall longer than the heartbeat keeps the lock: nobody steals it', async () => {
    // heartbeat 50 ms, stale 200 ms in the fixture; it stalls for 1.5 s.
    const holder = startHolder(dir, 'api', 'stall', '1500');
    await holder.next('stalling');
    let attempts = 0;
    let stolen = 0;
    while (attempts < 20) {
      attempts++;
      const result = await acquireLock({ dir, name: 'api', heartbeatMs: 50, staleMs: 200 }).then(
        async (handle) => {
          await handle.release();
          return 'acquired';
        },
        (error: { code?: string }) => error.code,
      );
      if (result === 'acquired') stolen++;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(stolen).toBe(0);
    const after = await holder.next('after-stall');
    expect(after.isHeld).toBe(true);
    expect(holder.child.exitCode).toBeNull();
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s releases the lock, then the signal ends the process as usual', async (signal) => {
    const holder = startHolder(dir, 'api', 'hold');
    await holder.next('acquired');
    holder.child.kill(signal);
    const exit = await holder.exited;
    expect(exit.signal).toBe(signal);
    // Released, not merely stale: the directory is gone.
    expect(await readLock({ dir, name: 'api' })).toMatchObject({ state: 'free' });
  });

  it('a normal exit releases the lock', async () => {
    const holder = startHolder(dir, 'api', 'exit');
    await holder.next('acquired');
    expect(await holder.exited).toEqual({ code: 0, signal: null });
    expect(await readLock({ dir, name: 'api' })).toMatchObject({ state: 'free' });
  });
});

describe('holders on another host', () => {
  it('are judged by heartbeat age only: fresh is held, old is taken over', async () => {
    plantLock('api', { hostname: 'another-host', pid: 999_999 });
    await expect(acquireLock({ dir, name: 'api', staleMs: 10_000 })).rejects.toMatchObject({ code: 'ELOCKED' });
    expect(await readLock({ dir, name: 'api' })).toMatchObject({ state: 'held', liveness: 'remote-fresh' });

    const old = new Date(Date.now() - 60_000);
    utimesSync(path.join(dir, 'api.lock', 'holder.json'), old, old);
    expect(await readLock({ dir, name: 'api' })).toMatchObject({ state: 'stale', liveness: 'remote-stale' });
    const handle = await acquireLock({ dir, name: 'api', staleMs: 10_000 });
    await handle.release();
  });
});

describe('stale takeover', () => {
  it('removes the dead holder lock completely and leaves no scratch entries', async () => {
    const holder = startHolder(dir, 'api', 'hold');
    const dead = (await holder.next('acquired')).record as LockRecord;
    holder.child.kill('SIGKILL');
    await holder.exited;
    const handle = await acquireLock({ dir, name: 'api' });
    const now = JSON.parse(readFileSync(path.join(handle.path, 'holder.json'), 'utf8')) as LockRecord;
    expect(now.instanceId).toBe(handle.record.instanceId);
    expect(now.instanceId).not.toBe(dead.instanceId);
    expect(readdirSync(dir)).toEqual(['api.lock']);
    expect(readdirSync(handle.path)).toEqual(['holder.json']);
    await handle.release();
  });

  it('breaks the claim of a contender that died mid-takeover', async () => {
    const dead = startHolder(dir, 'dead-holder', 'hold');
    const deadRecord = (await dead.next('acquired')).record as LockRecord;
    dead.child.kill('SIGKILL');
    await dead.exited;
    // The stale lock, with a claim inside left by a claimer that died too.
    plantLock('api', { pid: deadRecord.pid, processStartTime: deadRecord.processStartTime });
    mkdirSync(path.join(dir, 'api.lock', 'claim'));
    writeFileSync(path.join(dir, 'api.lock', 'claim', 'holder.json'), JSON.stringify({ ...deadRecord, instanceId: 'dead-claimer' }));

    const handle = await acquireLock({ dir, name: 'api' });
    expect(handle.record.pid).toBe(process.pid);
    await handle.release();
  });

  it('a live claimer means someone else is taking over: ELOCKED, the lock is left to it', async () => {
    plantLock('api', { pid: 999_999 });
    const pid = await spawnSleeper();
    mkdirSync(path.join(dir, 'api.lock', 'claim'));
    const claimer = { version: 1, name: 'api', pid, processStartTime: startTimeOf(pid), bootId: bootId(), hostname: hostname(), startedAt: new Date().toISOString(), instanceId: 'live-claimer', metadata: {} };
    writeFileSync(path.join(dir, 'api.lock', 'claim', 'holder.json'), JSON.stringify(claimer));
    await expect(acquireLock({ dir, name: 'api' })).rejects.toMatchObject({ code: 'ELOCKED', holder: { pid } });
    expect(readFileSync(path.join(dir, 'api.lock', 'claim', 'holder.json'), 'utf8')).toContain('live-claimer');
  });
});
