// `svc reload` against `pm2 reload` (cluster mode), both running 2 instances of the same server
// (bench/fixtures/reload-server.mjs: @svc/drain + @svc/health, handlers answering after 0–200 ms),
// under the same load from our own node:http client: 50 keep-alive connections, each looping
// requests, every request recorded with how it ended (status or error code, whether it was written,
// whether its connection was reused, latency, and the pid and version that answered). A failed
// request is any error or non-2xx; a request with no answer after 10 s counts as accepted and never
// answered. autocannon is not used: it hides requests lost on keep-alive connections the server closed.
//
// Per tool, both services up at once on their own ports:
//   1. steady state: load slices alternating between the tools → p99 and req/s (0–200 ms handlers),
//      then hello-world slices (?ms=0) alternating → throughput req/s;
//   2. N reload rounds (tools alternate which goes first): load runs, VERSION changes in the tool's
//      config, the reload command is timed end to end, the load goes on for a while; failed requests
//      of the round, p99 of the requests started while the command ran, and a check that every
//      request started after the command returned was answered by the new version;
//   3. control (--control-rounds, default 1): the same reload with drain left out of the server
//      (RELOAD_BENCH_SHUTDOWN=none: the signal kills it), after an unmeasured reload that switches
//      to it. It shows what this client sees when a reload does lose requests.
//
//   node bench/reload.bench.mjs [--rounds 3] [--control-rounds 1] [--connections 50] [--steady-ms 3000] [--throughput-ms 2000]
// (after pnpm build; svc's CLI is apps/cli/bin/run.js, PM2 is bench/node_modules/pm2)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, percentile, writeResults } from './lib/report.mjs';
import { freePorts, loadLog, measure, mustSucceed, runNode, snapshotCli, sweep } from './lib/tools.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'control-rounds': { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    'steady-ms': { type: 'string', default: '3000' },
    'throughput-ms': { type: 'string', default: '1500' },
  },
});
const ROUNDS = Number(args.rounds);
const CONTROL_ROUNDS = Number(args['control-rounds']);
const CONNECTIONS = Number(args.connections);
const STEADY_MS = Number(args['steady-ms']);
const THROUGHPUT_MS = Number(args['throughput-ms']);
const STEADY_SLICES = 2; // per tool, alternating
const THROUGHPUT_SLICES = 6; // per tool, alternating
const BEFORE_RELOAD_MS = 1_000; // load runs this long before the reload command starts
const AFTER_RELOAD_MS = 2_000; // and this long after it returned
const NO_ANSWER_MS = 10_000; // a request still unanswered after this is "accepted, never answered"
const STOP_TIMEOUT_MS = 10_000; // svc stop.timeout and PM2 kill_timeout
const MAX_HANDLER_MS = 200;
const SERVICE = 'reload-bench';
const TOOLS = ['svc', 'pm2'];

const here = import.meta.dirname;
const NODE = process.execPath;
const CLI_DIR = path.join(here, '..', 'apps', 'cli');
const PM2_BIN = path.join(here, 'node_modules', 'pm2', 'bin', 'pm2');
const SERVER = path.join(here, 'fixtures', 'reload-server.mjs');
for (const file of [path.join(CLI_DIR, 'bin', 'run.js'), path.join(CLI_DIR, 'dist', 'commands.js'), PM2_BIN]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: build the CLI (cd apps/cli && pnpm build) and install the bench dependencies`);
}
const scratch = mkdtempSync(path.join(tmpdir(), 'svc-reload-bench-'));
const epoch = performance.now();
const now = () => performance.now() - epoch;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => process.stderr.write(`[${(now() / 1000).toFixed(1)}s] ${line}\n`);

const cli = snapshotCli(CLI_DIR, scratch);
const SVC_BIN = cli.bin;
const SVC_HOME = path.join(scratch, 'svc-home');
const PM2_HOME = path.join(scratch, 'pm2-home');
const SVC_DIR = path.join(scratch, 'svc-project');
const PM2_DIR = path.join(scratch, 'pm2-project');
mkdirSync(SVC_DIR);
mkdirSync(PM2_DIR);
const SVC_CONFIG = path.join(SVC_DIR, 'svc.config.json');
const PM2_ECOSYSTEM = path.join(PM2_DIR, 'ecosystem.json');
// Every process either tool starts inherits this: the leftover check at the end finds them by it.
const MARKER = `SVC_RELOAD_BENCH=${scratch}`;
const baseEnv = { ...process.env, SVC_RELOAD_BENCH: scratch, NO_COLOR: '1' };
for (const key of ['PM2_HOME', 'SVC_HOME', 'XDG_RUNTIME_DIR', 'XDG_STATE_HOME', 'SVC_NOTIFY', 'LISTEN_FDS', 'LISTEN_PID', 'VERSION', 'PORT']) delete baseEnv[key];
const svcEnv = { ...baseEnv, SVC_HOME };
const pm2Env = { ...baseEnv, PM2_HOME };
const { loads, note: noteLoad } = loadLog();

/** Runs a command to its end; `ms` is from just before the spawn to its exit (on the run's clock). */
const run = (file, argv, { env, cwd }) => runNode(file, argv, { env, cwd, clock: now });
const svc = (argv) => run(SVC_BIN, argv, { env: svcEnv, cwd: SVC_DIR });
const pm2 = (argv) => run(PM2_BIN, argv, { env: pm2Env, cwd: PM2_DIR });

const [svcPort, pm2Port] = await freePorts(2);
const PORTS = { svc: svcPort, pm2: pm2Port };

/** svc: instances + listen (the daemon holds the socket), readiness notify (@svc/health's READY=1). */
function writeSvcConfig(version, extraEnv = {}) {
  const service = {
    command: NODE,
    args: [SERVER],
    env: { VERSION: version, PORT: svcPort, ...extraEnv },
    instances: 2,
    listen: { port: svcPort, host: '127.0.0.1' },
    readiness: { type: 'notify', timeout: '30s' },
    stop: { timeout: STOP_TIMEOUT_MS },
  };
  writeFileSync(SVC_CONFIG, `${JSON.stringify({ services: { [SERVICE]: service } }, null, 2)}\n`);
}

/**
 * PM2: cluster mode, 2 instances, and what PM2's docs give a draining app: `kill_timeout` (its wait
 * before SIGKILL, default 1.6 s) as long as svc's stop timeout, `wait_ready` so a replacement counts
 * only once it sent `process.send('ready')`, and `listen_timeout` (how long a reload waits for that
 * before it goes on regardless, default 3 s) at 10 s.
 */
function writePm2Ecosystem(version, extraEnv = {}) {
  const app = {
    name: SERVICE,
    script: SERVER,
    exec_mode: 'cluster',
    instances: 2,
    env: { VERSION: version, PORT: String(pm2Port), ...extraEnv },
    kill_timeout: STOP_TIMEOUT_MS,
    wait_ready: true,
    listen_timeout: 10_000,
    autorestart: true,
  };
  writeFileSync(PM2_ECOSYSTEM, `${JSON.stringify({ apps: [app] }, null, 2)}\n`);
}

/** Pids of the service's instances as the tool reports them, and whether all are up. */
async function instancesOf(tool) {
  if (tool === 'svc') {
    const r = await mustSucceed('svc status --json', svc(['status', SERVICE, '--json']));
    const item = JSON.parse(r.stdout).find((i) => i.name === SERVICE);
    const list = item?.instances ?? [];
    return { pids: list.map((i) => i.pid).filter(Boolean), up: list.length === 2 && list.every((i) => i.state === 'running') };
  }
  const r = await mustSucceed('pm2 jlist', pm2(['jlist']));
  const list = JSON.parse(r.stdout).filter((a) => a.name === SERVICE);
  return { pids: list.map((a) => a.pid).filter(Boolean), up: list.length === 2 && list.every((a) => a.pm2_env?.status === 'online') };
}

// ---------------------------------------------------------------------------------------------
// The load client.

/**
 * One GET, settled exactly once with how it ended. `written`: the request was flushed to a
 * socket; `reused`: on a keep-alive connection that had served before; `timedOut`: no answer
 * after NO_ANSWER_MS (the request was then destroyed).
 */
function requestOnce(port, agent, urlPath) {
  return new Promise((resolve) => {
    const t0 = now();
    let written = false;
    let connected = false;
    let settled = false;
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent });
    const finish = (fields) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ t0, ms: now() - t0, written, connected, reused: req.reusedSocket, ...fields });
    };
    const timer = setTimeout(() => {
      finish({ ok: false, code: 'NO_ANSWER', timedOut: true });
      req.destroy();
    }, NO_ANSWER_MS);
    req.on('socket', (socket) => {
      if (req.reusedSocket || !socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('finish', () => (written = true));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('error', (e) => finish({ ok: false, status: res.statusCode, code: e.code ?? e.message }));
      res.on('close', () => {
        if (!res.complete) finish({ ok: false, status: res.statusCode, code: 'RESPONSE_CUT' });
      });
      res.on('end', () => {
        let answer = null;
        try {
          answer = JSON.parse(body);
        } catch {
          // Not our JSON: answer stays null and the request counts as failed below.
        }
        const ok = res.statusCode >= 200 && res.statusCode < 300 && answer !== null;
        finish({ ok, status: res.statusCode, ...(ok ? { pid: answer.pid, version: answer.version } : { code: `HTTP_${res.statusCode}` }) });
      });
    });
    req.on('error', (e) => finish({ ok: false, code: e.code ?? e.message }));
    req.end();
  });
}

/**
 * CONNECTIONS loops, each with its own keep-alive agent of one socket, requesting back to back
 * until stopped. `record: false` keeps counts and the failed requests only (the throughput slices).
 */
function startLoad(port, { pathFor, record = true }) {
  let stopping = false;
  const records = [];
  const counts = { ok: 0, failed: 0 };
  const byPid = {};
  const loops = Array.from({ length: CONNECTIONS }, async (_, conn) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (!stopping) {
      const { urlPath, delayMs } = pathFor();
      const r = await requestOnce(port, agent, urlPath);
      if (r.ok) {
        counts.ok++;
        byPid[r.pid] = (byPid[r.pid] ?? 0) + 1;
      } else counts.failed++;
      if (record || !r.ok) records.push({ conn, delayMs, ...r });
      // A refused or reset connection would otherwise spin: a short pause before the next one.
      if (!r.ok) await sleep(10);
    }
    agent.destroy();
  });
  const startedAt = now();
  return {
    async stop() {
      stopping = true;
      const stoppedAt = now();
      await Promise.all(loops);
      return { records, counts, byPid, startedAt, stoppedAt };
    },
  };
}
const mixedPath = () => {
  const delayMs = Math.floor(Math.random() * (MAX_HANDLER_MS + 1));
  return { urlPath: `/work?ms=${delayMs}`, delayMs };
};
const helloPath = () => ({ urlPath: '/hello?ms=0', delayMs: 0 });
/** Latency above the delay the handler was asked for: queueing, scheduling, the tool's own path. */
const overheadMs = (r) => r.ms - r.delayMs;
const shares = (byPid) => {
  const total = Object.values(byPid).reduce((a, b) => a + b, 0);
  return Object.values(byPid).map((n) => Number((n / total).toFixed(3))).sort((a, b) => b - a);
};

/** The failed requests of a list, grouped by how they ended. */
function failureKinds(list) {
  const kinds = {};
  for (const r of list) {
    if (r.ok) continue;
    const kind = r.timedOut ? 'accepted, never answered' : `${r.code}${r.reused ? ' (reused conn)' : ''}${r.written ? '' : ' (not written)'}`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/** Until the service answers with `version`, on fresh connections, from every pid the tool lists. */
async function waitServing(tool, version, timeoutMs = 30_000) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const { pids, up } = await instancesOf(tool);
    if (up) {
      const seen = new Set();
      for (let i = 0; i < 40 && seen.size < pids.length; i++) {
        const r = await requestOnce(PORTS[tool], false, '/probe?ms=0');
        if (r.ok && r.version === version) seen.add(r.pid);
      }
      if (pids.every((p) => seen.has(p))) return pids;
    }
    if (now() > deadline) throw new Error(`${tool}: the 2 instances did not all answer with ${version} within ${timeoutMs} ms (listed pids ${pids.join(', ')})`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// Phases.

async function steadySlices() {
  const out = { svc: [], pm2: [] };
  const order = ['svc', 'pm2', 'pm2', 'svc'];
  for (let i = 0; i < STEADY_SLICES; i++) {
    for (const tool of i % 2 === 0 ? order.slice(0, 2) : order.slice(2)) {
      const load = startLoad(PORTS[tool], { pathFor: mixedPath });
      await sleep(STEADY_MS);
      const { records, startedAt, stoppedAt } = await load.stop();
      out[tool].push({ records, seconds: (stoppedAt - startedAt) / 1000 });
    }
  }
  return out;
}

async function throughputSlices() {
  const out = { svc: [], pm2: [] };
  const slice = async (tool, ms) => {
    const load = startLoad(PORTS[tool], { pathFor: helloPath, record: false });
    await sleep(ms);
    const { counts, startedAt, stoppedAt, records, byPid } = await load.stop();
    return { ok: counts.ok, failed: counts.failed, rps: counts.ok / ((stoppedAt - startedAt) / 1000), sharePerPid: shares(byPid), failures: failureKinds(records) };
  };
  for (const tool of TOOLS) await slice(tool, 1_000); // warm-up, not recorded
  for (let i = 0; i < THROUGHPUT_SLICES; i++) {
    for (const tool of i % 2 === 0 ? ['svc', 'pm2'] : ['pm2', 'svc']) out[tool].push(await slice(tool, THROUGHPUT_MS));
  }
  return out;
}

/** One reload under load: the tool's config gets `version`, the command is timed end to end. */
async function reloadRound(tool, round, version, extraEnv = {}) {
  const before = await instancesOf(tool);
  if (tool === 'svc') writeSvcConfig(version, extraEnv);
  else writePm2Ecosystem(version, extraEnv);
  const load = startLoad(PORTS[tool], { pathFor: mixedPath });
  await sleep(BEFORE_RELOAD_MS);
  const command = tool === 'svc' ? svc(['reload', SERVICE, '--json']) : pm2(['reload', PM2_ECOSYSTEM, '--update-env']);
  const result = await command;
  await sleep(AFTER_RELOAD_MS);
  const { records } = await load.stop();
  if (result.code !== 0) throw new Error(`${tool} reload exited ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  if (tool === 'svc') {
    const answer = JSON.parse(result.stdout);
    if (answer.mode !== 'reload' || answer.replaced !== 2) throw new Error(`svc reload did not replace both instances: ${result.stdout}`);
  }
  const after = await instancesOf(tool);
  const { t0, exitAt } = result;
  const during = records.filter((r) => r.t0 >= t0 && r.t0 <= exitAt);
  const afterwards = records.filter((r) => r.t0 > exitAt && r.ok);
  const failed = records.filter((r) => !r.ok);
  const okDuring = during.filter((r) => r.ok);
  const p99During = percentile(okDuring.map((r) => r.ms), 99);
  const stale = afterwards.filter((r) => r.version !== version || !after.pids.includes(r.pid));
  const oldAnswers = records.filter((r) => r.ok && r.version !== version);
  const newAnswers = records.filter((r) => r.ok && r.version === version);
  return {
    round,
    version,
    reloadMs: result.ms,
    requests: records.length,
    requestsDuring: during.length,
    failed: failed.length,
    noAnswer: failed.filter((r) => r.timedOut).length,
    failures: failureKinds(records),
    failedDetail: failed.map((r) => ({ conn: r.conn, atMs: Number((r.t0 - t0).toFixed(1)), ms: Number(r.ms.toFixed(1)), code: r.code, status: r.status ?? null, written: r.written, connected: r.connected, reused: r.reused })),
    p99DuringMs: p99During,
    p50DuringMs: percentile(okDuring.map((r) => r.ms), 50),
    maxDuringMs: Math.max(...okDuring.map((r) => r.ms)),
    p99OverheadDuringMs: percentile(okDuring.map(overheadMs), 99),
    lastOldAnswerMs: oldAnswers.length ? Math.max(...oldAnswers.map((r) => r.t0 + r.ms)) - t0 : null,
    firstNewAnswerMs: newAnswers.length ? Math.min(...newAnswers.map((r) => r.t0 + r.ms)) - t0 : null,
    answeredAfter: afterwards.length,
    staleAfter: stale.length,
    pidsBefore: before.pids,
    pidsAfter: after.pids,
    allReplaced: after.up && after.pids.length === 2 && after.pids.every((p) => !before.pids.includes(p)),
    newPidsAnswering: [...new Set(afterwards.map((r) => r.pid))].length,
    stdout: tool === 'svc' ? null : result.stdout.trim().split('\n').slice(-4),
    wall: { start: toWall(t0), exit: toWall(exitAt) },
  };
}

/** performance-clock ms of this run → wall-clock ms, to line them up with the daemon's event times. */
const toWall = (t) => performance.timeOrigin + epoch + t;

/** Every event the svc daemon wrote (`<SVC_HOME>/…/<service>[.<instance>].events.jsonl`), oldest first. */
function svcEvents() {
  const events = [];
  for (const entry of readdirSync(SVC_HOME, { recursive: true })) {
    if (!String(entry).endsWith('.events.jsonl')) continue;
    for (const line of readFileSync(path.join(SVC_HOME, String(entry)), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line));
      } catch {
        // A line being written as we read: the events of interest are complete by now.
      }
    }
  }
  return events.map((e) => ({ ...e, at: Date.parse(e.time) })).sort((a, b) => a.at - b.at);
}

/**
 * Where an svc reload's time went, from the daemon's events: the CLI's own start until the daemon
 * began, each replacement's spawn → ready, each old instance's stop request → exit, and the CLI's
 * exit after the daemon was done. Times in ms from the command's start.
 */
function svcBreakdown(events, round) {
  const { start, exit } = round.wall;
  const inRound = events.filter((e) => e.at >= start - 5 && e.at <= exit + 5);
  const first = (type) => inRound.find((e) => e.type === type);
  const rel = (e) => (e ? Math.round(e.at - start) : null);
  const slots = [0, 1].map((instance) => {
    const mine = inRound.filter((e) => e.instance === instance);
    const spawned = mine.find((e) => e.type === 'spawned');
    const ready = mine.find((e) => e.type === 'ready' && spawned && e.at >= spawned.at);
    const stop = mine.find((e) => e.type === 'stop-requested');
    const exited = mine.find((e) => e.type === 'exited' && stop && e.at >= stop.at);
    return { instance, spawned: rel(spawned), ready: rel(ready), stopRequested: rel(stop), exited: rel(exited) };
  });
  return { daemonStarted: rel(first('reload-started')), daemonDone: rel(first('reload-done')), slots, commandExit: Math.round(exit - start) };
}

function logRound(tool, r) {
  log(`  ${tool}: ${r.reloadMs.toFixed(0)} ms, ${r.requests} requests, ${r.failed} failed ${JSON.stringify(r.failures)}, p99 during ${r.p99DuringMs.toFixed(1)} ms, stale after ${r.staleAfter}`);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: both tools' own shutdown, then anything still carrying the marker.

let cleaned = false;
function cleanup() {
  if (cleaned) return [];
  cleaned = true;
  const stops = [{ what: 'pm2 kill', file: PM2_BIN, argv: ['kill'], env: pm2Env, cwd: PM2_DIR }];
  if (existsSync(SVC_CONFIG)) stops.unshift({ what: 'svc stop --all', file: SVC_BIN, argv: ['stop', '--all'], env: svcEnv, cwd: SVC_DIR });
  return sweep({ stops, marker: MARKER, scratch });
}
process.on('exit', () => cleanup());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

// ---------------------------------------------------------------------------------------------
// The run.

const results = {
  cliBuild: { digest: cli.digest, builtAt: cli.builtAt },
  pm2: JSON.parse(readFileSync(path.join(here, 'node_modules', 'pm2', 'package.json'), 'utf8')).version,
  cpus: cpus().length,
  settings: { rounds: ROUNDS, controlRounds: CONTROL_ROUNDS, connections: CONNECTIONS, steadyMs: STEADY_MS, steadySlices: STEADY_SLICES, throughputMs: THROUGHPUT_MS, throughputSlices: THROUGHPUT_SLICES, beforeReloadMs: BEFORE_RELOAD_MS, afterReloadMs: AFTER_RELOAD_MS, noAnswerMs: NO_ANSWER_MS, stopTimeoutMs: STOP_TIMEOUT_MS, maxHandlerMs: MAX_HANDLER_MS },
  rounds: { svc: [], pm2: [] },
  control: { svc: [], pm2: [] },
};
const problems = await measure(async () => {
  noteLoad('start');
  writeSvcConfig('v0');
  writePm2Ecosystem('v0');
  log(`starting svc (port ${svcPort}) and PM2 (port ${pm2Port}), 2 instances each`);
  await mustSucceed('svc start', svc(['start', SERVICE]));
  await mustSucceed('pm2 start', pm2(['start', PM2_ECOSYSTEM]));
  results.startPids = { svc: await waitServing('svc', 'v0'), pm2: await waitServing('pm2', 'v0') };

  log('warm-up');
  for (const tool of TOOLS) {
    const load = startLoad(PORTS[tool], { pathFor: mixedPath, record: false });
    await sleep(2_000);
    await load.stop();
  }
  noteLoad('after warm-up');

  log(`steady state: ${STEADY_SLICES} × ${STEADY_MS} ms per tool, alternating`);
  const steady = await steadySlices();
  log(`throughput (?ms=0): ${THROUGHPUT_SLICES} × ${THROUGHPUT_MS} ms per tool, alternating`);
  const throughput = await throughputSlices();
  noteLoad('after steady state');
  results.steady = {};
  for (const tool of TOOLS) {
    const records = steady[tool].flatMap((s) => s.records);
    const okMs = records.filter((r) => r.ok).map((r) => r.ms);
    const seconds = steady[tool].reduce((n, s) => n + s.seconds, 0);
    const byPid = {};
    for (const r of records) if (r.ok) byPid[r.pid] = (byPid[r.pid] ?? 0) + 1;
    results.steady[tool] = {
      requests: records.length,
      failed: records.filter((r) => !r.ok).length,
      failures: failureKinds(records),
      p50Ms: percentile(okMs, 50),
      p99Ms: percentile(okMs, 99),
      p99OverheadMs: percentile(records.filter((r) => r.ok).map(overheadMs), 99),
      rps: okMs.length / seconds,
      sharePerPid: shares(byPid),
      helloRps: median(throughput[tool].map((s) => s.rps)),
      helloSlices: throughput[tool],
    };
  }

  for (let round = 1; round <= ROUNDS; round++) {
    for (const tool of round % 2 === 1 ? ['svc', 'pm2'] : ['pm2', 'svc']) {
      log(`round ${round}: ${tool} reload → v${round}`);
      const r = await reloadRound(tool, round, `v${round}`);
      results.rounds[tool].push(r);
      logRound(tool, r);
    }
    noteLoad(`after round ${round}`);
  }

  if (CONTROL_ROUNDS > 0) {
    const none = { RELOAD_BENCH_SHUTDOWN: 'none' };
    for (const tool of TOOLS) {
      log(`control: ${tool} reload to a server without shutdown handling (not measured)`);
      logRound(tool, await reloadRound(tool, 0, 'c0', none));
      for (let round = 1; round <= CONTROL_ROUNDS; round++) {
        log(`control round ${round}: ${tool} reload, no shutdown handling → c${round}`);
        const r = await reloadRound(tool, round, `c${round}`, none);
        results.control[tool].push(r);
        logRound(tool, r);
      }
    }
    noteLoad('after control');
  }
  const events = svcEvents();
  for (const r of [...results.rounds.svc, ...results.control.svc]) r.breakdown = svcBreakdown(events, r);
}, cleanup);
noteLoad('end');
results.loads = loads;
results.leftoverProblems = problems;

// ---------------------------------------------------------------------------------------------
// Report.

const f0 = (n) => n.toFixed(0);
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
const label = { svc: '`svc reload` (2 instances, listen)', pm2: '`pm2 reload` (cluster, 2 instances)' };
results.summary = {};
for (const tool of TOOLS) {
  const rs = results.rounds[tool];
  const s = results.steady[tool];
  results.summary[tool] = {
    failedPerRound: rs.map((r) => r.failed),
    noAnswerPerRound: rs.map((r) => r.noAnswer),
    p99SteadyMs: s.p99Ms,
    p99DuringMs: rs.map((r) => r.p99DuringMs),
    worstP99Ratio: Math.max(...rs.map((r) => r.p99DuringMs)) / s.p99Ms,
    reloadMs: rs.map((r) => r.reloadMs),
    reloadMedianMs: median(rs.map((r) => r.reloadMs)),
    steadyRps: s.rps,
    helloRps: s.helloRps,
    staleAfter: rs.reduce((n, r) => n + r.staleAfter, 0),
    allReplaced: rs.every((r) => r.allReplaced),
  };
}
const S = results.summary.svc;
const P = results.summary.pm2;
results.ratios = {
  reloadMedian: S.reloadMedianMs / P.reloadMedianMs,
  worstP99During: Math.max(...S.p99DuringMs) / Math.max(...P.p99DuringMs),
  p99Steady: S.p99SteadyMs / P.p99SteadyMs,
  steadyRps: S.steadyRps / P.steadyRps,
  helloRps: S.helloRps / P.helloRps,
};

const out = [];
out.push(
  `node ${process.version}, PM2 ${results.pm2}, svc CLI build ${cli.digest} (apps/cli/dist of ${cli.builtAt}), ${results.cpus} CPUs, ` +
    `load average ${loads.map((l) => l.loadavg[0]).join(' → ')} (1 min, at each phase)`,
  '',
  `${CONNECTIONS} keep-alive connections, handlers 0–${MAX_HANDLER_MS} ms; ${ROUNDS} reload rounds per tool, load from ${BEFORE_RELOAD_MS} ms before the command to ${AFTER_RELOAD_MS} ms after it; ` +
    `steady state ${STEADY_SLICES} × ${STEADY_MS} ms, hello-world throughput median of ${THROUGHPUT_SLICES} × ${THROUGHPUT_MS} ms, per tool, alternating`,
  '',
  '| tool | failed per round | never answered | p99 steady ms | p99 during reload ms, per round | worst ÷ steady | reload ms, per round (median) | req/s, 0–200 ms handlers | req/s, hello world |',
  '| --- | --- | ---: | ---: | --- | ---: | --- | ---: | ---: |',
);
for (const tool of TOOLS) {
  const m = results.summary[tool];
  out.push(
    `| ${label[tool]} | ${m.failedPerRound.join(', ')} | ${m.noAnswerPerRound.reduce((a, b) => a + b, 0)} | ${f1(m.p99SteadyMs)} | ${m.p99DuringMs.map(f1).join(', ')} | ${f2(m.worstP99Ratio)} | ${m.reloadMs.map(f0).join(', ')} (${f0(m.reloadMedianMs)}) | ${f0(m.steadyRps)} | ${f0(m.helloRps)} |`,
  );
}
out.push('', '| svc ÷ PM2 | value | target |', '| --- | ---: | --- |');
out.push(`| reload time (median) | ${f2(results.ratios.reloadMedian)}× | — |`);
out.push(`| p99 during reload (worst round) | ${f2(results.ratios.worstP99During)}× | — |`);
out.push(`| req/s, 0–200 ms handlers | ${f2(results.ratios.steadyRps)}× | — |`);
out.push(`| req/s, hello world | ${f2(results.ratios.helloRps)}× | ≥ 1.0× (${results.ratios.helloRps >= 1 ? 'met' : 'not met'}) |`);
const svcFailed = S.failedPerRound.some((n) => n > 0);
out.push(`| svc: failed requests in every round | ${S.failedPerRound.join(', ')} | 0 (${svcFailed ? 'not met' : 'met'}) |`);
out.push(`| svc: worst p99 during reload ÷ steady p99 | ${f2(S.worstP99Ratio)}× | ≤ 2× (${S.worstP99Ratio <= 2 ? 'met' : 'not met'}) |`);
out.push('', '| round | tool | reload ms | requests (while the command ran) | failed: how | p50 / p99 / max during ms | p99 overhead during ms | last old answer / first new answer, ms after the command started | new version only afterwards | pids replaced |');
out.push('| ---: | --- | ---: | ---: | --- | --- | ---: | --- | --- | --- |');
const rows = [];
for (let i = 0; i < ROUNDS; i++) for (const tool of TOOLS) rows.push([String(i + 1), tool, results.rounds[tool][i]]);
for (const tool of TOOLS) results.control[tool].forEach((r, i) => rows.push([`control ${i + 1}`, `${tool}, no drain`, r]));
for (const [round, tool, r] of rows) {
  const how = Object.entries(r.failures).map(([k, n]) => `${n} ${k}`).join('; ') || '0';
  const oldNew = `${r.lastOldAnswerMs === null ? '—' : f0(r.lastOldAnswerMs)} / ${r.firstNewAnswerMs === null ? '—' : f0(r.firstNewAnswerMs)}`;
  const fresh = r.staleAfter === 0 ? `yes (${r.answeredAfter} answers, ${r.newPidsAnswering} pids)` : `NO: ${r.staleAfter} of ${r.answeredAfter} old`;
  const replaced = r.allReplaced ? 'yes' : `NO (${r.pidsBefore.join(',')} → ${r.pidsAfter.join(',')})`;
  out.push(`| ${round} | ${tool} | ${f0(r.reloadMs)} | ${r.requests} (${r.requestsDuring}) | ${how} | ${f1(r.p50DuringMs)} / ${f1(r.p99DuringMs)} / ${f1(r.maxDuringMs)} | ${f1(r.p99OverheadDuringMs)} | ${oldNew} | ${fresh} | ${replaced} |`);
}
const st = results.steady;
out.push(
  '',
  `Steady state (0–200 ms handlers): p99 overhead (latency − the handler's delay) svc ${f1(st.svc.p99OverheadMs)} ms, PM2 ${f1(st.pm2.p99OverheadMs)} ms; ` +
    `failed svc ${st.svc.failed}, PM2 ${st.pm2.failed}; share of answers per instance svc ${st.svc.sharePerPid.join(' / ')}, PM2 ${st.pm2.sharePerPid.join(' / ')}.`,
  `Hello world: share of answers per instance, per slice: svc ${st.svc.helloSlices.map((x) => x.sharePerPid.join('/')).join(', ')}; PM2 ${st.pm2.helloSlices.map((x) => x.sharePerPid.join('/')).join(', ')}; ` +
    `failed svc ${st.svc.helloSlices.reduce((n, x) => n + x.failed, 0)}, PM2 ${st.pm2.helloSlices.reduce((n, x) => n + x.failed, 0)}.`,
);
out.push(
  '',
  "Where svc's reload time went (ms from the command's start, from the daemon's events): the daemon begins → per slot, replacement spawned → ready, old instance stop requested → exited → the daemon is done → the CLI exits.",
  '',
  '| round | daemon begins | slot 0: spawn → ready, stop → exit | slot 1: spawn → ready, stop → exit | daemon done | CLI exits |',
  '| --- | ---: | --- | --- | ---: | ---: |',
);
const svcRows = [...results.rounds.svc.map((r, i) => [String(i + 1), r]), ...results.control.svc.map((r, i) => [`control ${i + 1}`, r])];
const t = (n) => (n === null ? '?' : String(n));
for (const [round, r] of svcRows) {
  const b = r.breakdown;
  const slot = (x) => `${t(x.spawned)} → ${t(x.ready)}, ${t(x.stopRequested)} → ${t(x.exited)}`;
  out.push(`| ${round} | ${t(b.daemonStarted)} | ${slot(b.slots[0])} | ${slot(b.slots[1])} | ${t(b.daemonDone)} | ${b.commandExit} |`);
}
if (problems.length > 0) out.push('', `Cleanup: ${problems.join('; ')}`);
console.log(out.join('\n'));
console.log(`\nresults: ${path.relative(process.cwd(), writeResults('reload', results))}`);
