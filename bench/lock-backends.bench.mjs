// @svc/lock's Redis and PostgreSQL backends against local servers this script starts itself:
//   1. acquire + release latency per backend, interleaved with what users write by hand instead:
//      Redis SET NX PX + DEL, and a PostgreSQL session advisory lock (pg_try_advisory_lock +
//      pg_advisory_unlock). Both with a fresh connection per lock (as each @svc/lock handle has)
//      and, for reference, over one warm connection.
//   2. failover: a holder process is SIGKILLed; time until a standby process (already waiting)
//      holds the lease, for TTL 2 s, 5 s and 10 s. A plain holder process stands in for the
//      service: the supervisor's "service ready" part is not measured here.
// Usage: node bench/lock-backends.bench.mjs [--iterations 100] [--failovers 3]
// Needs redis-server and PostgreSQL 15 (/usr/lib/postgresql/15/bin); PostgreSQL runs as `nobody` when run as root.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { acquireLock as acquireRedis } from '@svc/lock/redis';
import { acquireLock as acquirePostgres } from '@svc/lock/postgres';
import { median, percentile, writeResults } from './lib/report.mjs';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '100' }, failovers: { type: 'string', default: '3' } } });
const ITERATIONS = Number(values.iterations);
const FAILOVERS = Number(values.failovers);
const TTLS = [2_000, 5_000, 10_000];
// The clients are @svc/lock's (optional) peer dependencies, installed beside the package.
const requireFromLock = createRequire(path.join(import.meta.dirname, '..', 'packages', 'lock', 'package.json'));
const { Redis } = requireFromLock('ioredis');
const pg = requireFromLock('pg');

const asNobody = process.getuid() === 0 ? { uid: 65534, gid: 65534 } : {};
const children = new Set();
const scratch = [];

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function waitForLine(child, pattern) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const on = (chunk) => {
      seen += chunk;
      if (pattern.test(seen)) resolve();
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${seen.slice(-500)}`)));
  });
}

function tempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (asNobody.uid !== undefined) chownSync(dir, asNobody.uid, asNobody.gid);
  scratch.push(dir);
  return dir;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tempDir('bench-redis-')], { detached: true });
  children.add(child);
  await waitForLine(child, /Ready to accept connections/);
  return `redis://127.0.0.1:${port}`;
}

async function startPostgres() {
  const bin = '/usr/lib/postgresql/15/bin';
  const dir = tempDir('bench-pg-');
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], { ...asNobody, cwd: dir, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(init.stderr);
  const port = await freePort();
  const child = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'], { ...asNobody, cwd: dir, detached: true });
  children.add(child);
  await waitForLine(child, /ready to accept connections/);
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

const timed = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

async function latency(redisUrl, postgresUrl) {
  const warmRedis = new Redis(redisUrl);
  const warmPg = new pg.Client({ connectionString: postgresUrl });
  await warmPg.connect();
  const variants = {
    'redis: @svc/lock/redis': () => acquireRedis({ url: redisUrl, name: 'bench' }).then((h) => h.release()),
    'redis: SET NX PX + DEL, fresh connection': async () => {
      const r = new Redis(redisUrl);
      if ((await r.set('naive', '1', 'PX', 10_000, 'NX')) !== 'OK') throw new Error('naive lock held');
      await r.del('naive');
      r.disconnect();
    },
    'redis: SET NX PX + DEL, warm connection': async () => {
      if ((await warmRedis.set('naive', '1', 'PX', 10_000, 'NX')) !== 'OK') throw new Error('naive lock held');
      await warmRedis.del('naive');
    },
    'postgres: @svc/lock/postgres': () => acquirePostgres({ url: postgresUrl, name: 'bench' }).then((h) => h.release()),
    'postgres: advisory lock, fresh connection': async () => {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      const { rows } = await c.query('SELECT pg_try_advisory_lock(42) AS ok');
      if (!rows[0].ok) throw new Error('advisory lock held');
      await c.query('SELECT pg_advisory_unlock(42)');
      await c.end();
    },
    'postgres: advisory lock, warm connection': async () => {
      const { rows } = await warmPg.query('SELECT pg_try_advisory_lock(42) AS ok');
      if (!rows[0].ok) throw new Error('advisory lock held');
      await warmPg.query('SELECT pg_advisory_unlock(42)');
    },
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const fn of Object.values(variants)) for (let i = 0; i < 20; i++) await fn();
  for (let i = 0; i < ITERATIONS; i++) {
    for (const [name, fn] of Object.entries(variants)) samples[name].push(await timed(fn));
  }
  warmRedis.disconnect();
  await warmPg.end();
  return Object.entries(samples).map(([name, s]) => ({ name, medianMs: median(s), p99Ms: percentile(s, 99) }));
}

function startHolder(backend, url, name, ttlMs) {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'fixtures', 'lease-holder.mjs'), backend, url, name, String(ttlMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const lines = createInterface({ input: child.stdout });
  const next = (prefix) =>
    new Promise((resolve, reject) => {
      const on = (line) => {
        if (!line.startsWith(prefix)) return;
        lines.off('line', on);
        resolve(line);
      };
      lines.on('line', on);
      child.once('exit', () => reject(new Error(`holder exited before "${prefix}"`)));
    });
  return { child, next };
}

async function failover(backend, url, ttlMs, round) {
  const name = `failover-${ttlMs}-${round}`;
  const leader = startHolder(backend, url, name, ttlMs);
  await leader.next('acquired');
  const standby = startHolder(backend, url, name, ttlMs);
  await standby.next('waiting');
  // Kill at a random point of the renewal cycle, as a real crash would.
  await new Promise((r) => setTimeout(r, Math.random() * (ttlMs / 3)));
  const acquired = standby.next('acquired');
  const killedAt = Date.now();
  leader.child.kill('SIGKILL');
  const line = await acquired;
  const ms = Number(line.split(' ')[1]) - killedAt;
  standby.child.kill('SIGKILL');
  return ms;
}

try {
  const [redisUrl, postgresUrl] = await Promise.all([startRedis(), startPostgres()]);
  const lat = await latency(redisUrl, postgresUrl);
  const byName = Object.fromEntries(lat.map((r) => [r.name, r]));
  console.log(`node ${process.version}, ${ITERATIONS} interleaved iterations per variant\n`);
  console.log('| acquire + release | median ms | p99 ms | ratio to the hand-written lock, fresh connection (median) |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of lat) {
    const anchor = r.name.startsWith('redis') ? byName['redis: SET NX PX + DEL, fresh connection'] : byName['postgres: advisory lock, fresh connection'];
    console.log(`| ${r.name} | ${r.medianMs.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${(r.medianMs / anchor.medianMs).toFixed(2)}× |`);
  }
  const failovers = [];
  for (const backend of ['redis', 'postgres']) {
    const url = backend === 'redis' ? redisUrl : postgresUrl;
    for (const ttlMs of TTLS) {
      const runs = [];
      for (let i = 0; i < FAILOVERS; i++) runs.push(await failover(backend, url, ttlMs, i));
      failovers.push({ backend, ttlMs, runs, targetMs: ttlMs + Math.round(ttlMs / 3) });
    }
  }
  console.log('\n| failover (SIGKILL → standby holds) | TTL | median ms | max ms | target TTL + TTL/3 | met |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const f of failovers) {
    const max = Math.max(...f.runs);
    console.log(`| ${f.backend} | ${f.ttlMs} | ${median(f.runs).toFixed(0)} | ${max.toFixed(0)} | ${f.targetMs} | ${max <= f.targetMs ? 'yes' : 'no'} |`);
  }
  const file = writeResults('lock-backends', { iterations: ITERATIONS, latency: lat, failovers });
  console.log(`\nwrote ${file}`);
} finally {
  for (const child of children) {
    try {
      process.kill(child.spawnfile === process.execPath ? child.pid : -child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
}
