// svc's supervisor against PM2 (fork mode), in one run:
//   1. restart latency after SIGKILL: @svc/supervisor's daemon (createDaemon) hosting one HTTP
//      server, PM2 7 hosting the same, and a 15-line child_process respawn loop (the floor), all
//      three up at once, each round restarting each once, in an order that rotates;
//   2. memory with idle services, through the real `svc` CLI and PM2's programmatic API: 5 ad-hoc
//      services, 5 services across 5 config files, 20 services in one config file. svc's own
//      processes (the daemon and its orphan guard) against PM2's overhead (its daemon + what each
//      app carries above the same app run bare); idle CPU over the same window.
// Run: node bench/supervisor.bench.mjs [--rounds 20] [--idle-seconds 60] [--samples 7] [--settle-seconds 5]   (after pnpm build)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, percentile, writeResults } from './lib/report.mjs';
import { freePorts, leftovers, loadLog, measure, mustSucceed, runNode, snapshotCli, sweep } from './lib/tools.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    'idle-seconds': { type: 'string', default: '60' },
    samples: { type: 'string', default: '7' },
    'settle-seconds': { type: 'string', default: '5' },
  },
});
const ROUNDS = Number(args.rounds);
const IDLE_SECONDS = Number(args['idle-seconds']);
const SAMPLES = Math.max(2, Number(args.samples));
const SETTLE_SECONDS = Number(args['settle-seconds']);
const BARE_APPS = 3;
// svc's crash-loop limit is at most 1000 starts per window (the fixture sets it so).
if (!(ROUNDS >= 1 && ROUNDS < 1000)) throw new Error('--rounds: 1 to 999');
const here = import.meta.dirname;
const SERVER = path.join(here, 'fixtures', 'supervisor-server.mjs');
const IDLE = path.join(here, 'fixtures', 'supervisor-idle.mjs');
const CLI_DIR = path.join(here, '..', 'apps', 'cli');
const PM2_VERSION = JSON.parse(readFileSync(path.join(here, 'node_modules', 'pm2', 'package.json'), 'utf8')).version;
const work = mkdtempSync(path.join(tmpdir(), 'svc-bench-sup-'));
// Every process this run starts inherits the marker (the final sweep finds leftovers by it).
const MARKER = `SVC_SUP_BENCH=${work}`;
process.env.SVC_SUP_BENCH = work;
const PM2_HOME = path.join(work, 'pm2');
process.env.PM2_HOME = PM2_HOME; // read by pm2 when it is required
const require = createRequire(import.meta.url);
const pm2 = require('pm2');
const cli = snapshotCli(CLI_DIR, work);
// The environment of the bare apps and of the svc CLI: neither tool's home in it, so that each
// tool's processes are found by their own home.
const baseEnv = { ...process.env, NO_COLOR: '1' };
for (const name of ['PM2_HOME', 'SVC_HOME', 'XDG_RUNTIME_DIR', 'XDG_STATE_HOME']) delete baseEnv[name];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { loads, note: noteLoad } = loadLog();
const cleanups = [];
const svcHomes = [];

function p(fn) {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
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

/** User + system CPU of the process (all its threads), in clock ticks (10 ms); 0 once gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The pids and every process below them. */
function withDescendants(pids) {
  const all = new Set();
  const queue = [...pids];
  while (queue.length > 0) {
    const pid = queue.shift();
    if (all.has(pid)) continue;
    all.add(pid);
    try {
      queue.push(...readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // gone
    }
  }
  return all;
}

async function waitUntil(what, check, timeoutMs = 30_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** One round: SIGKILL the tool's server once it answers, timed until its replacement answers. */
async function restartOnce(tool, round) {
  const pid = await tool.getPid();
  await firstAnswer(tool.port);
  process.kill(pid, 'SIGKILL');
  const killedAt = performance.now();
  // Probe only once the old server is dead (its listening socket closes at exit), so an
  // answer can only come from the replacement.
  while (procGone(pid) === false) await new Promise((r) => setImmediate(r));
  const answeredAt = await firstAnswer(tool.port).catch((error) => {
    throw new Error(`${tool.name}, round ${round + 1}: ${error.message}`);
  });
  // Let the new pid be published before the next round.
  for (let k = 0; k < 500 && (await tool.getPid()) === pid; k++) await sleep(5);
  return answeredAt - killedAt;
}

/** All tools up at once; each round kills each tool's server once, in an order that rotates. */
async function measureLatency(tools) {
  const samples = tools.map(() => []);
  for (let i = 0; i < ROUNDS; i++) {
    for (let k = 0; k < tools.length; k++) {
      const t = (i + k) % tools.length;
      samples[t].push(await restartOnce(tools[t], i));
    }
  }
  return tools.map((tool, t) => ({ name: tool.name, medianMs: median(samples[t]), p90Ms: percentile(samples[t], 90), samples: samples[t] }));
}

function spawnLine(cmd, argv, env) {
  const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
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

const pm2DaemonRuns = () => leftovers(`PM2_HOME=${PM2_HOME}`).length > 0;

const PM2_BIN = path.join(here, 'node_modules', 'pm2', 'bin', 'pm2');

/**
 * Deletes every app, closes this process's connection, then stops the PM2 daemon with `pm2 kill`
 * and waits until no process carries PM2_HOME. (The API's own killDaemon leaves this process's
 * client sockets reconnecting to the socket path, and so to the next scenario's daemon.)
 */
async function pm2Gone() {
  await p((cb) => pm2.delete('all', cb));
  await p((cb) => pm2.disconnect(cb));
  await mustSucceed('pm2 kill', runNode(PM2_BIN, ['kill'], { env: { ...baseEnv, PM2_HOME }, cwd: work }));
  await waitUntil('PM2 to exit', () => !pm2DaemonRuns());
}

// ---- memory ------------------------------------------------------------------------------------

const svcRun = (env, cwd, argv) => mustSucceed(`svc ${argv.join(' ')}`, runNode(cli.bin, argv, { env, cwd }));
const configText = (names) =>
  ['services:', ...names.flatMap((name) => [`  ${name}:`, `    command: ${JSON.stringify(process.execPath)}`, `    args: [${JSON.stringify(IDLE)}]`, '    readiness: { type: none }']), ''].join('\n');

const SCENARIOS = [
  {
    key: 'adhoc-5',
    label: '5 ad-hoc',
    count: 5,
    // `svc start wN -- node supervisor-idle.mjs`, node being this run's node binary.
    start: async (env, dir) => {
      for (let i = 1; i <= 5; i++) await svcRun(env, dir, ['start', `w${i}`, '--', process.execPath, IDLE]);
    },
  },
  {
    key: 'configs-5',
    label: '5 across 5 config files',
    count: 5,
    start: async (env, dir) => {
      for (let i = 1; i <= 5; i++) {
        const project = path.join(dir, `project-${i}`);
        mkdirSync(project);
        writeFileSync(path.join(project, 'svc.config.yaml'), configText([`w${i}`]));
        await svcRun(env, project, ['start', `w${i}`]);
      }
    },
  },
  {
    key: 'config-20',
    label: '20 in one config file',
    count: 20,
    start: async (env, dir) => {
      writeFileSync(path.join(dir, 'svc.config.yaml'), configText(Array.from({ length: 20 }, (_, i) => `w${i + 1}`)));
      await svcRun(env, dir, ['start', '--all']);
    },
  },
];

/** The svc services of `svc status --json` once all `count` run: their pids. */
async function svcServicePids(env, dir, count) {
  return waitUntil(`${count} svc services running`, async () => {
    const items = JSON.parse((await svcRun(env, dir, ['status', '--json'])).stdout);
    const running = items.filter((i) => i.state === 'running' && i.instances.every((x) => x.state === 'running' && x.pid));
    return running.length === count && items.length === count ? running.flatMap((i) => i.instances.map((x) => x.pid)) : null;
  });
}

async function memoryScenario(scenario) {
  const { key, count } = scenario;
  const dir = path.join(work, key);
  mkdirSync(dir);
  const home = path.join(work, `svc-home-${key}`);
  svcHomes.push(home);
  const svcEnv = { ...baseEnv, SVC_HOME: home };

  const t0 = performance.now();
  await scenario.start(svcEnv, dir);
  const svcStartMs = performance.now() - t0;
  const svcPids = await svcServicePids(svcEnv, dir, count);

  await p((cb) => pm2.connect(cb));
  const t1 = performance.now();
  for (let i = 1; i <= count; i++) await p((cb) => pm2.start({ script: IDLE, name: `w${i}`, exec_mode: 'fork', autorestart: true }, cb));
  const pm2StartMs = performance.now() - t1;
  const pm2Pids = await waitUntil(`${count} PM2 apps online`, async () => {
    const list = await p((cb) => pm2.list(cb));
    return list.length === count && list.every((a) => a.pm2_env.status === 'online' && a.pid > 0) ? list.map((a) => a.pid) : null;
  });

  // The same app run bare, BARE_APPS times; and as many with an IPC channel, as svc runs a Node
  // command (its ipc: 'auto', the channel a Node service can report ready on).
  const bares = Array.from({ length: BARE_APPS }, () => spawn(process.execPath, [IDLE], { env: baseEnv, stdio: 'ignore' }));
  const baresIpc = Array.from({ length: BARE_APPS }, () => spawn(process.execPath, [IDLE], { env: baseEnv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
  bares.push(...baresIpc);
  const barePids = bares.slice(0, BARE_APPS).map((b) => b.pid);
  const bareIpcPids = baresIpc.map((b) => b.pid);
  cleanups.push(() => bares.forEach((b) => b.kill('SIGKILL')));

  await sleep(SETTLE_SECONDS * 1000);
  // What each tool runs for itself: every process carrying its home that is not an app (nor below one).
  const svcApps = withDescendants(svcPids);
  const pm2Apps = withDescendants(pm2Pids);
  const svcOwnPids = leftovers(`SVC_HOME=${home}`).filter((pid) => !svcApps.has(pid));
  const pm2OwnPids = leftovers(`PM2_HOME=${PM2_HOME}`).filter((pid) => !pm2Apps.has(pid));
  const groups = { svcOwn: svcOwnPids, svcApps: [...svcApps], pm2Own: pm2OwnPids, pm2Apps: [...pm2Apps], bare: barePids, bareIpc: bareIpcPids };
  const sum = (pids, f) => pids.reduce((a, pid) => a + f(pid), 0);
  const cpu0 = Object.fromEntries(Object.entries(groups).map(([g, pids]) => [g, sum(pids, cpuTicks)]));
  const windowStart = performance.now();
  const samples = [];
  for (let s = 0; s < SAMPLES; s++) {
    if (s > 0) await sleep(windowStart + (s * IDLE_SECONDS * 1000) / (SAMPLES - 1) - performance.now());
    const rss = Object.fromEntries(Object.entries(groups).map(([g, pids]) => [g, sum(pids, rssBytes)]));
    const bare = median(barePids.map(rssBytes));
    samples.push({
      ...rss,
      bare,
      bareIpc: median(bareIpcPids.map(rssBytes)),
      ownByPid: Object.fromEntries([...svcOwnPids, ...pm2OwnPids].map((pid) => [pid, rssBytes(pid)])),
      svcOverhead: rss.svcOwn + (rss.svcApps - count * bare),
      pm2Overhead: rss.pm2Own + (rss.pm2Apps - count * bare),
    });
  }
  const seconds = (performance.now() - windowStart) / 1000;
  const cpuMs = Object.fromEntries(Object.entries(groups).map(([g, pids]) => [g, (sum(pids, cpuTicks) - cpu0[g]) * 10]));
  const dead = [...svcPids, ...pm2Pids, ...svcOwnPids, ...pm2OwnPids, ...barePids, ...bareIpcPids].filter(procGone);
  if (dead.length > 0) throw new Error(`${scenario.label}: process(es) ${dead.join(', ')} ended during the window`);

  const med = (k) => median(samples.map((x) => x[k]));
  const result = {
    key,
    label: scenario.label,
    services: count,
    svcStartMs,
    pm2StartMs,
    svcOwnProcesses: svcOwnPids.map((pid) => ({ pid, command: commandOf(pid).join(' ').slice(0, 200), rss: median(samples.map((x) => x.ownByPid[pid])) })),
    pm2OwnProcesses: pm2OwnPids.map((pid) => ({ pid, command: commandOf(pid).join(' ').slice(0, 120), rss: median(samples.map((x) => x.ownByPid[pid])) })),
    bareRss: med('bare'),
    bareIpcRss: med('bareIpc'),
    svcOwnRss: med('svcOwn'),
    svcAppsRss: med('svcApps'),
    pm2OwnRss: med('pm2Own'),
    pm2AppsRss: med('pm2Apps'),
    svcPerAppAboveBare: median(samples.map((x) => (x.svcApps - count * x.bare) / count)),
    pm2PerAppAboveBare: median(samples.map((x) => (x.pm2Apps - count * x.bare) / count)),
    svcOverhead: med('svcOverhead'),
    pm2Overhead: med('pm2Overhead'),
    cpu: { seconds, ...cpuMs },
    samples,
  };
  result.ratio = result.svcOverhead / result.pm2Overhead;

  // Clean up completely: nothing of either tool, nor a bare app, outlives the scenario.
  await svcRun(svcEnv, dir, ['daemon', 'stop']);
  await waitUntil('the svc daemon and its services to exit', () => leftovers(`SVC_HOME=${home}`).length === 0);
  await pm2Gone();
  for (const b of bares) b.kill('SIGKILL');
  await waitUntil('the bare apps to exit', () => [...barePids, ...bareIpcPids].every(procGone));
  return result;
}

let cleaned = false;
function cleanup() {
  if (cleaned) return [];
  cleaned = true;
  for (const c of cleanups) c();
  const stops = svcHomes
    .filter((home) => leftovers(`SVC_HOME=${home}`).length > 0)
    .map((home) => ({ what: `svc daemon stop (${path.basename(home)})`, file: cli.bin, argv: ['daemon', 'stop'], env: { ...baseEnv, SVC_HOME: home }, cwd: work }));
  if (pm2DaemonRuns()) stops.push({ what: 'pm2 kill', file: PM2_BIN, argv: ['kill'], env: { ...baseEnv, PM2_HOME }, cwd: work });
  return sweep({ stops, marker: MARKER, scratch: work });
}
process.on('exit', () => cleanup());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

const results = { cliBuild: { digest: cli.digest, builtAt: cli.builtAt }, pm2: PM2_VERSION, cpus: cpus().length, rounds: ROUNDS, idleSeconds: IDLE_SECONDS, samples: SAMPLES, settleSeconds: SETTLE_SECONDS };
const problems = await measure(async () => {
  noteLoad('start');
  // ---- restart latency ----------------------------------------------------------------------
  const [port, port2, port3] = await freePorts(3);
  const floor = spawnLine(process.execPath, [path.join(here, 'fixtures', 'supervisor-floor.mjs'), SERVER, String(port)], baseEnv);
  await waitLine(floor.lines);
  const svcHome = path.join(work, 'svc-home-latency');
  svcHomes.push(svcHome);
  const svc = spawnLine(process.execPath, [path.join(here, 'fixtures', 'supervisor-daemon.mjs'), svcHome, String(port2)], { ...baseEnv, SVC_HOME: svcHome });
  const info = JSON.parse(await waitLine(svc.lines));
  const { connectIpc } = await import('../packages/ipc/dist/index.js');
  const client = await connectIpc(info.socket);
  await p((cb) => pm2.connect(cb));
  // PM2 counts an exit within min_uptime (default 1 s) of the start as an unstable restart and
  // stops restarting after max_restarts (default 16) of them: every round here is one. The limit
  // is raised out of reach, as svc's crash-loop limit is (fixtures/supervisor-daemon.mjs).
  await p((cb) =>
    pm2.start({ script: SERVER, name: 'bench-latency', env: { PORT: String(port3) }, exec_mode: 'fork', autorestart: true, restart_delay: 0, max_restarts: 1_000_000 }, cb),
  );
  results.latency = await measureLatency([
    { name: 'floor (child_process loop)', port, getPid: async () => Number(await waitLine(floor.lines)) },
    { name: '@svc/supervisor', port: port2, getPid: async () => (await client.call('status', {})).find((row) => row.name === 's0')?.pid ?? -1 },
    { name: `PM2 ${PM2_VERSION} (fork mode)`, port: port3, getPid: async () => (await p((cb) => pm2.describe('bench-latency', cb)))[0]?.pid ?? -1 },
  ]);
  noteLoad('after the restarts');
  await killPgroup(floor.child);
  for (const pid of floor.lines.map(Number)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  await client.close();
  await killPgroup(svc.child);
  await waitUntil('the svc daemon to exit', () => leftovers(`SVC_HOME=${svcHome}`).length === 0);
  await pm2Gone();

  // ---- memory and idle CPU --------------------------------------------------------------------
  results.memory = [];
  for (const scenario of SCENARIOS) {
    results.memory.push(await memoryScenario(scenario));
    noteLoad(`after ${scenario.key}`);
  }
}, cleanup);
noteLoad('end');
results.loads = loads;
results.leftoverProblems = problems;

const mb = (b) => (b / 1024 / 1024).toFixed(1);
const f2 = (n) => n.toFixed(2);
console.log(`node ${process.version}, PM2 ${PM2_VERSION}, svc build ${cli.digest} (dist of ${cli.builtAt}, copied at the start), ${results.cpus} CPUs, load average ${loads.map((l) => l.loadavg[0]).join(' → ')} (1 min, at each phase)`);
const floorMedian = results.latency[0].medianMs;
console.log(`\n### Restart latency (SIGKILL → port answers; ${ROUNDS} rounds, restart delay 0)\n`);
console.log('| supervisor | median ms | p90 ms | × floor | target ≤ 1.1× |');
console.log('| --- | ---: | ---: | ---: | --- |');
results.latency.forEach((r, i) => {
  const x = r.medianMs / floorMedian;
  // The target is svc's; PM2 is measured beside it.
  const verdict = i === 0 ? '' : i === 1 ? (x <= 1.1 ? 'met' : 'not met') : '—';
  console.log(`| ${r.name} | ${r.medianMs.toFixed(1)} | ${r.p90Ms.toFixed(1)} | ${f2(x)} | ${verdict} |`);
});
console.log(`\n### Supervision memory (RSS from /proc/<pid>/status, idle services: median of ${SAMPLES} samples over ${IDLE_SECONDS} s, after ${SETTLE_SECONDS} s settling)\n`);
console.log('svc overhead = its own processes (every process carrying the SVC_HOME that is not a service) + what each service costs above the bare app; PM2 overhead = its daemon + what each app costs above the bare app.\n');
console.log('| services | bare app MB (with IPC channel) | svc own processes | svc own MB | svc per service above bare MB | PM2 daemon MB | PM2 per app above bare MB | svc overhead MB | PM2 overhead MB | svc ÷ PM2 | target ≤ 0.5× |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const m of results.memory) {
  const own = m.svcOwnProcesses.map((x) => `${/\/bin\/daemon\.mjs$/.test(x.command) ? 'daemon' : x.command.startsWith('/bin/sh -c') ? 'guard (sh)' : x.command} ${mb(x.rss)}`).join(' + ');
  console.log(
    `| ${m.label} | ${mb(m.bareRss)} (${mb(m.bareIpcRss)}) | ${own} | ${mb(m.svcOwnRss)} | ${mb(m.svcPerAppAboveBare)} | ${mb(m.pm2OwnRss)}${m.pm2OwnProcesses.length === 1 ? '' : ` (${m.pm2OwnProcesses.length} processes)`} | ${mb(m.pm2PerAppAboveBare)} | ${mb(m.svcOverhead)} | ${mb(m.pm2Overhead)} | ${f2(m.ratio)} | ${m.ratio <= 0.5 ? 'met' : 'not met'} |`,
  );
}
console.log(`\n### Idle CPU over the same window (ms of CPU; % of one core)\n`);
console.log('| services | s | svc own processes | PM2 daemon | svc services, per service | PM2 apps, per app | bare app, each |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const pct = (ms, s) => `${ms} (${((ms / (s * 1000)) * 100).toFixed(2)} %)`;
for (const m of results.memory) {
  const c = m.cpu;
  console.log(`| ${m.label} | ${Math.round(c.seconds)} | ${pct(c.svcOwn, c.seconds)} | ${pct(c.pm2Own, c.seconds)} | ${(c.svcApps / m.services).toFixed(0)} | ${(c.pm2Apps / m.services).toFixed(0)} | ${(c.bare / BARE_APPS).toFixed(0)} |`);
}
if (problems.length > 0) console.log(`\nCleanup: ${problems.join('; ')}`);
console.log(`\nresults: ${path.relative(process.cwd(), writeResults('supervisor', results))}`);
