// @svc/lock vs proper-lockfile, in one run:
//   1. acquire + release latency (median and p99 over N iterations, interleaved)
//   2. time from the holder's SIGKILL to the next successful acquire
//   3. double holders when 32 processes find the same stale lock at once
// Usage: node bench/lock.bench.mjs [--iterations 2000] [--rounds 50] [--recoveries 3]
import { fork, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { acquireLock, acquireLockSync } from '@svc/lock';
import lockfile from 'proper-lockfile';
import { writeResults, median, percentile } from './lib/report.mjs';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '50' },
    recoveries: { type: 'string', default: '3' },
  },
});
const ITERATIONS = Number(values.iterations);
const ROUNDS = Number(values.rounds);
const RECOVERIES = Number(values.recoveries);
const here = import.meta.dirname;
const scratch = mkdtempSync(path.join(tmpdir(), 'svc-lock-bench-'));

async function latency() {
  const svcDir = path.join(scratch, 'lat-svc');
  const properDir = path.join(scratch, 'lat-proper');
  mkdirSync(properDir, { recursive: true });
  const resource = path.join(properDir, 'resource');
  writeFileSync(resource, '');
  const svc = [];
  const proper = [];
  // Warm up both, then interleave so machine noise hits both alike.
  for (let i = 0; i < 50; i++) {
    await (await acquireLock({ dir: svcDir, name: 'bench' })).release();
    await (await lockfile.lock(resource))();
  }
  for (let i = 0; i < ITERATIONS; i++) {
    let t = performance.now();
    const handle = await acquireLock({ dir: svcDir, name: 'bench' });
    await handle.release();
    svc.push(performance.now() - t);
    t = performance.now();
    const unlock = await lockfile.lock(resource);
    await unlock();
    proper.push(performance.now() - t);
  }
  return { svc, proper };
}

function startHolder(lib, target) {
  const child = spawn(process.execPath, [path.join(here, 'fixtures/lock-holder.mjs'), lib, target], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
}

async function recovery(lib, runs) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const target = path.join(scratch, `rec-${lib}-${run}`);
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, 'resource'), '');
    const holder = await startHolder(lib, target);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    const t0 = performance.now();
    holder.kill('SIGKILL');
    await exited;
    const dead = performance.now();
    for (;;) {
      try {
        if (lib === 'svc') acquireLockSync({ dir: target, name: 'bench' }).releaseSync();
        else await (await lockfile.lock(path.join(target, 'resource'), { retries: 0 }))();
        break;
      } catch (error) {
        if (error.code !== 'ELOCKED') throw error;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    const now = performance.now();
    times.push({ fromKill: now - t0, fromDeath: now - dead });
  }
  return times;
}

async function staleRace(lib, size, rounds) {
  const target = path.join(scratch, `race-${lib}`);
  mkdirSync(target, { recursive: true });
  writeFileSync(path.join(target, 'resource'), '');
  const lockPath = lib === 'svc' ? path.join(target, 'bench.lock') : path.join(target, 'resource.lock');
  // A real stale lock: its holder SIGKILLed. proper-lockfile's is made stale by age, as its own rule says.
  const holder = await startHolder(lib, target);
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  const template = path.join(scratch, `template-${lib}`);
  cpSync(lockPath, template, { recursive: true });
  rmSync(lockPath, { recursive: true, force: true });

  const workers = Array.from({ length: size }, () =>
    fork(path.join(here, 'fixtures/lock-race-worker.mjs'), [lib, target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const next = (worker, type) => new Promise((resolve) => {
    const on = (m) => {
      if (m.type === type) {
        worker.off('message', on);
        resolve(m);
      }
    };
    worker.on('message', on);
  });
  await Promise.all(workers.map((w) => next(w, 'ready')));
  let doubleRounds = 0;
  let maxHolders = 0;
  let noWinner = 0;
  for (let round = 0; round < rounds; round++) {
    cpSync(template, lockPath, { recursive: true });
    if (lib === 'proper') {
      const old = new Date(Date.now() - 60_000);
      utimesSync(lockPath, old, old);
    }
    const results = workers.map((w) => next(w, 'result'));
    const at = Date.now() + 30;
    for (const w of workers) w.send({ type: 'go', at });
    const winners = (await Promise.all(results)).filter((r) => r.won).length;
    if (winners > 1) doubleRounds++;
    if (winners === 0) noWinner++;
    maxHolders = Math.max(maxHolders, winners);
    const ended = workers.map((w) => next(w, 'ended'));
    for (const w of workers) w.send({ type: 'end' });
    await Promise.all(ended);
    rmSync(lockPath, { recursive: true, force: true });
  }
  for (const w of workers) w.kill('SIGKILL');
  return { rounds, doubleRounds, maxHolders, noWinner };
}

try {
  console.log(`lock bench: ${ITERATIONS} iterations, ${ROUNDS} stale-race rounds of 32, ${RECOVERIES} proper-lockfile recoveries (node ${process.version})`);
  const lat = await latency();
  const svcRecovery = await recovery('svc', 20);
  const properRecovery = await recovery('proper', RECOVERIES);
  const svcRace = await staleRace('svc', 32, ROUNDS);
  const properRace = await staleRace('proper', 32, ROUNDS);

  const rows = [
    ['acquire + release, median', `${median(lat.svc).toFixed(3)} ms`, `${median(lat.proper).toFixed(3)} ms`, `${(median(lat.svc) / median(lat.proper)).toFixed(2)}×`],
    ['acquire + release, p99', `${percentile(lat.svc, 99).toFixed(3)} ms`, `${percentile(lat.proper, 99).toFixed(3)} ms`, `${(percentile(lat.svc, 99) / percentile(lat.proper, 99)).toFixed(2)}×`],
    ...['fromKill', 'fromDeath'].map((key) => {
      const a = svcRecovery.map((r) => r[key]);
      const b = properRecovery.map((r) => r[key]);
      const label = key === 'fromKill' ? 'SIGKILL sent → next acquire' : "holder's exit seen → next acquire";
      return [`${label}, median (max)`, `${median(a).toFixed(1)} ms (${Math.max(...a).toFixed(1)})`, `${median(b).toFixed(0)} ms (${Math.max(...b).toFixed(0)})`, `${(median(a) / median(b)).toFixed(4)}×`];
    }),
    [`stale race, 32 processes: rounds with 2+ holders`, `${svcRace.doubleRounds} of ${svcRace.rounds}`, `${properRace.doubleRounds} of ${properRace.rounds}`, ''],
    [`stale race: most holders at once`, `${svcRace.maxHolders}`, `${properRace.maxHolders}`, ''],
  ];
  console.log('\n| measure | @svc/lock | proper-lockfile 4.1.2 | ratio |\n| --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  writeResults('lock', { iterations: ITERATIONS, latency: { svcMedianMs: median(lat.svc), properMedianMs: median(lat.proper) }, svcRecovery, properRecovery, svcRace, properRace });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
