// @svc/supervisor against PM2 (fork mode) and a 15-line child_process respawn loop (the floor):
// restart latency after SIGKILL, supervision memory with 1 and 5 idle services, idle daemon CPU.
// Run: node bench/supervisor.bench.mjs [--rounds 20] [--idle-seconds 60]   (after pnpm build)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { median, percentile, writeResults } from './lib/report.mjs';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, 'idle-seconds': { type: 'string', default: '60' } } });
const ROUNDS = Number(args.rounds);
const IDLE_SECONDS = Number(args['idle-seconds']);
const here = import.meta.dirname;
const SERVER = path.join(here, 'fixtures', 'supervisor-server.mjs');
const IDLE = path.join(here, 'fixtures', 'supervisor-idle.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'svc-bench-sup-'));
process.env.PM2_HOME = path.join(work, 'pm2');
const require = createRequire(import.meta.url);
const pm2 = require('pm2');
const cleanups = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function p(fn) {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Fires an HTTP request every 2 ms (overlapping) until one gets the server's answer; resolves
 * with the time of that answer. A bare TCP connect is not enough: with the port free, a connect
 * from an ephemeral port equal to the target port "succeeds" against itself (TCP self-connect).
 */
function firstAnswer(port, deadlineMs = 30_000) {
  return new Promise((resolve, reject) => {
    let done = false;
    const started = performance.now();
    const attempt = () => {
      if (done) return;
      if (performance.now() - started > deadlineMs) {
        done = true;
        clearInterval(timer);
        reject(new Error('port never answered'));
        return;
      }
      const req = httpGet({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          if (!done && body === 'ok\n') {
            done = true;
            clearInterval(timer);
            resolve(performance.now());
          }
        });
      });
      req.once('error', () => req.destroy());
    };
    const timer = setInterval(attempt, 2);
    attempt();
  });
}

function rssBytes(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))[1]) * 1024;
  } catch {
    return 0; // gone
  }
}

function procGone(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return true;
  }
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function measureLatency(name, getPid, port) {
  const samples = [];
  for (let i = 0; i < ROUNDS; i++) {
    const pid = await getPid();
    await firstAnswer(port);
    process.kill(pid, 'SIGKILL');
    const killedAt = performance.now();
    // Probe only once the old server is dead (its listening socket closes at exit), so an
    // answer can only come from the replacement.
    while (procGone(pid) === false) await new Promise((r) => setImmediate(r));
    const answeredAt = await firstAnswer(port).catch((error) => {
      throw new Error(`${name}, round ${i + 1}: ${error.message}`);
    });
    samples.push(answeredAt - killedAt);
    // Let the new pid be published before the next round.
    for (let k = 0; k < 500 && (await getPid()) === pid; k++) await sleep(5);
  }
  return { name, medianMs: median(samples), p90Ms: percentile(samples, 90), samples };
}

function spawnLine(cmd, argv, env = {}) {
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  cleanups.push(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const lines = [];
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  return { child, lines };
}

async function waitLine(lines, test = () => true, timeoutMs = 30_000) {
  const t = performance.now();
  for (;;) {
    const line = lines.findLast(test);
    if (line !== undefined) return line;
    if (performance.now() - t > timeoutMs) throw new Error('no line');
    await sleep(10);
  }
}

async function killPgroup(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 200 && child.exitCode === null && child.signalCode === null; i++) await sleep(25);
}

const results = {};
try {
  // ---- restart latency ----------------------------------------------------------------------
  {
    const port = await freePort();
    const floor = spawnLine(process.execPath, [path.join(here, 'fixtures', 'supervisor-floor.mjs'), SERVER, String(port)]);
    await waitLine(floor.lines);
    const floorResult = await measureLatency('floor (child_process loop)', async () => Number(await waitLine(floor.lines)), port);
    await killPgroup(floor.child);
    for (const pid of floor.lines.map(Number)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }

    const port2 = await freePort();
    const svcHome = path.join(work, 'svc-latency');
    const svc = spawnLine(process.execPath, [path.join(here, 'fixtures', 'supervisor-daemon.mjs'), svcHome, '1', 'server', String(port2)]);
    const info = JSON.parse(await waitLine(svc.lines));
    const { connectIpc } = await import('../packages/ipc/dist/index.js');
    const client = await connectIpc(path.join(svcHome, 'run', 'bench-1-server.sock'));
    const svcResult = await measureLatency('@svc/supervisor', async () => (await client.call('status', { service: 's0' }))[0].pid ?? -1, port2);
    await client.close();
    await killPgroup(svc.child);
    void info;

    const port3 = await freePort();
    await p((cb) => pm2.connect(cb));
    await p((cb) => pm2.start({ script: SERVER, name: 'bench-latency', env: { PORT: String(port3) }, autorestart: true, restart_delay: 0, exec_mode: 'fork' }, cb));
    const pm2Pid = async () => (await p((cb) => pm2.describe('bench-latency', cb)))[0]?.pid ?? -1;
    const pm2Result = await measureLatency('PM2 7 (fork mode)', pm2Pid, port3);
    await p((cb) => pm2.delete('bench-latency', cb));
    results.latency = [floorResult, svcResult, pm2Result];
  }

  // ---- memory with 1 and 5 idle services, idle CPU --------------------------------------------
  {
    const bare = spawn(process.execPath, [IDLE], { stdio: 'ignore' });
    await sleep(1500);
    const bareAppRss = rssBytes(bare.pid);
    bare.kill('SIGKILL');

    results.memory = [];
    let cpu = null;
    for (const count of [1, 5]) {
      const home = path.join(work, `svc-mem-${count}`);
      const svc = spawnLine(process.execPath, [path.join(here, 'fixtures', 'supervisor-daemon.mjs'), home, String(count)]);
      const info = JSON.parse(await waitLine(svc.lines));
      for (let i = 0; i < count; i++) {
        await p((cb) => pm2.start({ script: IDLE, name: `idle-${i}`, autorestart: true, exec_mode: 'fork' }, cb));
      }
      await sleep(3000);
      const daemonPid = info.pid;
      const svcChildren = childrenOf(daemonPid);
      const svcAppsRss = info.pids.reduce((a, pid) => a + rssBytes(pid), 0);
      const guardRss = svcChildren.filter((c) => !info.pids.includes(c)).reduce((a, pid) => a + rssBytes(pid), 0);
      const pm2DaemonPid = Number(readFileSync(path.join(process.env.PM2_HOME, 'pm2.pid'), 'utf8'));
      const pm2List = await p((cb) => pm2.list(cb));
      const pm2AppsRss = pm2List.reduce((a, app) => a + rssBytes(app.pid), 0);
      const svcDaemon = rssBytes(daemonPid) + guardRss;
      const pm2Daemon = rssBytes(pm2DaemonPid);
      const svcOverhead = svcDaemon + (svcAppsRss - count * bareAppRss);
      const pm2Overhead = pm2Daemon + (pm2AppsRss - count * bareAppRss);
      results.memory.push({ services: count, bareAppRss, svcDaemon, svcAppsRss, pm2Daemon, pm2AppsRss, svcOverhead, pm2Overhead, ratio: svcOverhead / pm2Overhead });

      if (count === 5) {
        const t0 = [cpuTicks(daemonPid), cpuTicks(pm2DaemonPid), performance.now()];
        await sleep(IDLE_SECONDS * 1000);
        const seconds = (performance.now() - t0[2]) / 1000;
        cpu = {
          seconds: Math.round(seconds),
          svcCpuMs: (cpuTicks(daemonPid) - t0[0]) * 10,
          pm2CpuMs: (cpuTicks(pm2DaemonPid) - t0[1]) * 10,
        };
      }
      await killPgroup(svc.child);
      await p((cb) => pm2.delete('all', cb));
    }
    results.idleCpu = cpu;
  }
} finally {
  try {
    await p((cb) => pm2.killDaemon(cb));
  } catch {
    // no daemon was started
  }
  pm2.disconnect();
  for (const c of cleanups) c();
  rmSync(work, { recursive: true, force: true });
}

const mb = (b) => (b / 1024 / 1024).toFixed(1);
const floorMedian = results.latency[0].medianMs;
console.log(`\n### Restart latency (SIGKILL → port answers; ${ROUNDS} rounds, restart delay 0)\n`);
console.log('| supervisor | median ms | p90 ms | × floor |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of results.latency) console.log(`| ${r.name} | ${r.medianMs.toFixed(1)} | ${r.p90Ms.toFixed(1)} | ${(r.medianMs / floorMedian).toFixed(2)} |`);
console.log('\n### Supervision memory (RSS, idle services)\n');
console.log(`Bare idle app RSS: ${mb(results.memory[0].bareAppRss)} MB. Overhead = daemon (+ guard) + what each app costs above a bare app.\n`);
console.log('| services | svc daemon MB | svc apps MB | PM2 daemon MB | PM2 apps MB | svc overhead MB | PM2 overhead MB | svc / PM2 |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of results.memory) {
  console.log(`| ${m.services} | ${mb(m.svcDaemon)} | ${mb(m.svcAppsRss)} | ${mb(m.pm2Daemon)} | ${mb(m.pm2AppsRss)} | ${mb(m.svcOverhead)} | ${mb(m.pm2Overhead)} | ${m.ratio.toFixed(2)} |`);
}
console.log(`\n### Idle daemon CPU (5 services, ${results.idleCpu.seconds} s)\n`);
console.log('| daemon | CPU ms | % of one core |');
console.log('| --- | ---: | ---: |');
console.log(`| @svc/supervisor | ${results.idleCpu.svcCpuMs} | ${((results.idleCpu.svcCpuMs / (results.idleCpu.seconds * 1000)) * 100).toFixed(3)} |`);
console.log(`| PM2 7 | ${results.idleCpu.pm2CpuMs} | ${((results.idleCpu.pm2CpuMs / (results.idleCpu.seconds * 1000)) * 100).toFixed(3)} |`);
console.log(`\nresults: ${writeResults('supervisor', { rounds: ROUNDS, ...results })}`);
