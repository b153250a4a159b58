import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLock } from '../src/index.js';
import { fixture, startHolder, tempDir } from './helpers.js';

/*
 * Real processes race for one lock, released together by a barrier (every worker spins until the
 * same wall-clock instant). Each winner creates a marker file with O_EXCL while it holds the lock
 * and keeps the lock until every contender of the round has answered, so two winners in one round
 * would mean two holders at once.
 */

interface Result {
  won: boolean;
  markerOk?: boolean;
  error?: string;
}

class Pool {
  workers: ChildProcess[] = [];
  constructor(
    readonly dir: string,
    readonly marker: string,
    readonly size: number,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) {
      const worker = fork(fixture('race-worker.mjs'), [this.dir, 'race', this.marker], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => this.#next(w, 'ready')));
  }

  async round(): Promise<Result[]> {
    const at = Date.now() + 25;
    const results = this.workers.map((w) => this.#next<Result>(w, 'result'));
    for (const w of this.workers) w.send({ type: 'go', at });
    const answered = await Promise.all(results);
    const ended = this.workers.map((w) => this.#next(w, 'ended'));
    for (const w of this.workers) w.send({ type: 'end' });
    await Promise.all(ended);
    return answered;
  }

  stop(): void {
    for (const w of this.workers) w.kill('SIGKILL');
  }

  #next<T>(worker: ChildProcess, type: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: { type: string } & T) => {
        if (message.type !== type) return;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null) => reject(new Error(`race worker exited (${code}) before "${type}"`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
  }
}

describe('race between real processes', () => {
  let dir: string;
  let cleanup: () => void;
  let pool: Pool | undefined;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => {
    pool?.stop();
    cleanup();
  });

  it('32 processes × 200 rounds on a free lock: exactly one winner per round, the O_EXCL marker never fails', async () => {
    pool = new Pool(dir, path.join(dir, 'marker'), 32);
    await pool.start();
    const winnersPerRound: number[] = [];
    const problems: string[] = [];
    for (let round = 0; round < 200; round++) {
      const results = await pool.round();
      winnersPerRound.push(results.filter((r) => r.won).length);
      for (const r of results) {
        if (r.error) problems.push(r.error);
        if (r.won && !r.markerOk) problems.push(`round ${round}: marker already existed`);
      }
    }
    pool.stop();
    pool = undefined;
    expect(problems).toEqual([]);
    expect(winnersPerRound.filter((n) => n !== 1)).toEqual([]);
    expect(winnersPerRound).toHaveLength(200);
    expect(await readLock({ dir, name: 'race' })).toMatchObject({ state: 'free' });
  }, 300_000);

  it('16 processes find the same stale lock (its holder SIGKILLed) at once: exactly one takes it over, every round', async () => {
    // A real stale lock: taken by a process that is then SIGKILLed. Copied back before each round.
    const holder = startHolder(dir, 'race', 'hold');
    await holder.next('acquired');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const template = path.join(dir, 'stale-template');
    cpSync(path.join(dir, 'race.lock'), template, { recursive: true });
    expect(await readLock({ dir, name: 'race' })).toMatchObject({ state: 'stale', liveness: 'dead' });
    rmSync(path.join(dir, 'race.lock'), { recursive: true });

    pool = new Pool(dir, path.join(dir, 'marker'), 16);
    await pool.start();
    const winnersPerRound: number[] = [];
    const problems: string[] = [];
    for (let round = 0; round < 100; round++) {
      cpSync(template, path.join(dir, 'race.lock'), { recursive: true });
      const results = await pool.round();
      winnersPerRound.push(results.filter((r) => r.won).length);
      for (const r of results) {
        if (r.error) problems.push(r.error);
        if (r.won && !r.markerOk) problems.push(`round ${round}: marker already existed`);
      }
      expect(existsSync(path.join(dir, 'race.lock'))).toBe(false);
    }
    pool.stop();
    pool = undefined;
    expect(problems).toEqual([]);
    expect(winnersPerRound.filter((n) => n !== 1)).toEqual([]);
  }, 300_000);
});
