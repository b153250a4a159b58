// The `svc` CLI against the PM2 CLI, in one run, with `node -e 0` as the floor:
//   1. `svc status --json` vs `pm2 jlist` with 5 running services, each command timed end to end
//      as a child process, interleaved with the floor;
//   2. `svc start <name>` vs `pm2 start <script> --name <name>`, timed from just before the spawn to
//      the first TCP connect the service accepts (and to the CLI's own exit), cold (no process of
//      either tool running: for svc, none carrying its SVC_HOME) and warm (the tool's daemon up with
//      the 5 services). Cold is measured twice for svc: with the config file as a previous start
//      validated it (its validated copy serves), and with the file edited before every run (a full
//      parse and validation), each against its own series of cold PM2 starts;
//   3. readiness none (an ad-hoc service with no check, warm): svc start pays its 1 s start window
//      and pm2 start does not; and how soon svc start answers a command that exits at once (exit 1).
// Both tools run the same script (bench/fixtures/cli-server.mjs) with the same node binary
// (process.execPath), each from its own home (SVC_HOME, PM2_HOME) in a temp directory.
// Run: node bench/cli.bench.mjs [--status-runs 30] [--start-runs 12]   (after pnpm build)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, percentile, writeResults } from './lib/report.mjs';
import { freePorts, leftovers, loadLog, measure, mustSucceed, runNode, snapshotCli, sweep } from './lib/tools.mjs';

const { values: args } = parseArgs({ options: { 'status-runs': { type: 'string', default: '30' }, 'start-runs': { type: 'string', default: '12' } } });
const STATUS_RUNS = Number(args['status-runs']);
const START_RUNS = Number(args['start-runs']);
const NONE_RUNS = 5;
const SERVICES = 5;
const here = import.meta.dirname;
const NODE = process.execPath;
const CLI_DIR = path.join(here, '..', 'apps', 'cli');
const PM2_BIN = path.join(here, 'node_modules', 'pm2', 'bin', 'pm2');
const SERVER = path.join(here, 'fixtures', 'cli-server.mjs');
for (const file of [path.join(CLI_DIR, 'bin', 'run.js'), path.join(CLI_DIR, 'dist', 'commands.js'), PM2_BIN]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: build the CLI (cd apps/cli && pnpm build) and install the bench dependencies`);
}
const scratch = mkdtempSync(path.join(tmpdir(), 'svc-cli-bench-'));

const cli = snapshotCli(CLI_DIR, scratch);
const SVC_BIN = cli.bin;
const SVC_HOME = path.join(scratch, 'svc-home');
const PM2_HOME = path.join(scratch, 'pm2-home');
const CONFIG_DIR = path.join(scratch, 'project');
mkdirSync(CONFIG_DIR);
// Every process either tool starts inherits this: the leftover check at the end finds them by it.
const MARKER = `SVC_CLI_BENCH=${scratch}`;
const baseEnv = { ...process.env, SVC_CLI_BENCH: scratch, NO_COLOR: '1' };
delete baseEnv.PM2_HOME;
delete baseEnv.SVC_HOME;
delete baseEnv.XDG_RUNTIME_DIR;
delete baseEnv.XDG_STATE_HOME;
const svcEnv = { ...baseEnv, SVC_HOME };
const pm2Env = { ...baseEnv, PM2_HOME };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { loads, note: noteLoad } = loadLog();

/** Runs a command to its end. `ms` is from just before the spawn to its exit. */
const run = (file, argv, { env = baseEnv, cwd = scratch } = {}) => runNode(file, argv, { env, cwd });
const svc = (argv, opts) => run(SVC_BIN, argv, { env: svcEnv, cwd: CONFIG_DIR, ...opts });
const pm2 = (argv, opts) => run(PM2_BIN, argv, { env: pm2Env, cwd: CONFIG_DIR, ...opts });
const floor = () => run('-e', ['0']);

/** One TCP connect to the port: true when accepted by a listener (not a TCP self-connect). */
function tryConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      // With nothing listening, a connect whose ephemeral source port equals the target connects to itself.
      const real = socket.localPort !== port;
      socket.destroy();
      resolve(real);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves with the time of the first accepted connect, probing every 5 ms (one attempt at a time). */
function firstConnect(port, deadlineMs = 30_000) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let busy = false;
    let done = false;
    const attempt = async () => {
      if (busy || done) return;
      if (performance.now() - started > deadlineMs) {
        done = true;
        clearInterval(timer);
        reject(new Error(`port ${port} never accepted a connection within ${deadlineMs} ms`));
        return;
      }
      busy = true;
      const ok = await tryConnect(port);
      const at = performance.now();
      busy = false;
      if (ok && !done) {
        done = true;
        clearInterval(timer);
        resolve(at);
      }
    };
    const timer = setInterval(attempt, 5);
    attempt();
  });
}

async function waitUntil(what, check, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const portClosed = async (port) => !(await tryConnect(port));

/**
 * Whether anything of svc runs for our SVC_HOME: the daemon, its orphan guard, a service (every one
 * of them carries SVC_HOME in its environment; the CLI's runs have ended when this is asked).
 */
const svcRuns = () => leftovers(`SVC_HOME=${SVC_HOME}`).length > 0;

/** Whether the PM2 daemon of our PM2_HOME runs. */
function pm2DaemonAlive() {
  const pidFile = path.join(PM2_HOME, 'pm2.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: the pid file outlived its daemon
  }
}

/**
 * One start measured: the CLI spawned at t0, the port probed from then on. Returns the time to the
 * first accepted connect and to the CLI's exit, after both have happened.
 */
async function timedStart(command, port) {
  if (!(await portClosed(port))) throw new Error(`port ${port} is already answering before the start`);
  const t0 = performance.now();
  const connected = firstConnect(port);
  const cli = command();
  const [at, result] = await Promise.all([connected, cli]);
  if (result.code !== 0) throw new Error(`start exited ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  return { portMs: at - t0, exitMs: result.exitAt - t0 };
}

const ports = await freePorts(2 * SERVICES + 4);
const svcPorts = ports.slice(0, SERVICES);
const pm2Ports = ports.slice(SERVICES, 2 * SERVICES);
const [svcStartPort, pm2StartPort, svcNonePort, pm2NonePort] = ports.slice(2 * SERVICES);
const svcNames = svcPorts.map((_, i) => `bench-${i + 1}`);
const pm2Names = pm2Ports.map((_, i) => `bench-${i + 1}`);
const CONFIG_FILE = path.join(CONFIG_DIR, 'svc.config.yaml');
const service = (port) =>
  [`    command: ${JSON.stringify(NODE)}`, `    args: [${JSON.stringify(SERVER)}, "${port}"]`, `    readiness: { type: tcp, port: ${port} }`].join('\n');
const configText = ['services:', ...svcNames.map((name, i) => `  ${name}:\n${service(svcPorts[i])}`), `  bench-start:\n${service(svcStartPort)}`, ''].join('\n');
writeFileSync(CONFIG_FILE, configText);
let edits = 0;
/** New bytes, same services: the next start cannot use the validated copy a previous one kept. */
const editConfig = () => writeFileSync(CONFIG_FILE, `${configText}# edit ${++edits}\n`);
const svcStart = () => svc(['start', 'bench-start']);
const pm2Start = (name = 'bench-start', port = pm2StartPort) => pm2(['start', SERVER, '--name', name, '--interpreter', NODE, '--', String(port)]);

async function svcStopStart(cold) {
  await mustSucceed('svc stop bench-start', svc(['stop', 'bench-start']));
  await waitUntil(`port ${svcStartPort} to close`, () => portClosed(svcStartPort));
  // The daemon exits by itself once it supervises nothing.
  if (cold) await waitUntil('the svc daemon to exit', () => !svcRuns());
}
async function pm2StopStart(cold) {
  await mustSucceed('pm2 delete bench-start', pm2(['delete', 'bench-start']));
  await waitUntil(`port ${pm2StartPort} to close`, () => portClosed(pm2StartPort));
  if (cold) {
    await mustSucceed('pm2 kill', pm2(['kill']));
    await waitUntil('the PM2 daemon to exit', () => !pm2DaemonAlive());
  }
}

/**
 * Alternates which tool goes first, so drift in the machine's load hits both alike. `mode`: 'cold',
 * 'cold-edited' (svc's config file gets new bytes before each of its runs) or 'warm'.
 */
async function startSeries(mode, runs) {
  const cold = mode !== 'warm';
  const series = { svc: [], pm2: [] };
  const one = {
    svc: async (record) => {
      if (cold && svcRuns()) throw new Error('a process of svc is running before a cold start');
      if (mode === 'cold-edited') editConfig();
      const r = await timedStart(svcStart, svcStartPort);
      if (record) series.svc.push(r);
      await svcStopStart(cold);
    },
    pm2: async (record) => {
      if (cold) {
        // No PM2 daemon before a cold run: killed after the previous one, and again here.
        await mustSucceed('pm2 kill', pm2(['kill']));
        await waitUntil('the PM2 daemon to exit', () => !pm2DaemonAlive());
      }
      const r = await timedStart(() => pm2Start(), pm2StartPort);
      if (record) series.pm2.push(r);
      await pm2StopStart(cold);
    },
  };
  // One unrecorded run each first: the first start in a fresh home creates its directories.
  await one.svc(false);
  await one.pm2(false);
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['svc', 'pm2'] : ['pm2', 'svc'];
    for (const tool of order) await one[tool](true);
  }
  return series;
}

function checkSvcStatus(stdout) {
  const items = JSON.parse(stdout);
  const running = items.filter((i) => svcNames.includes(i.name) && i.state === 'running');
  if (running.length !== SERVICES) throw new Error(`svc status --json shows ${running.length} of ${SERVICES} services running:\n${stdout}`);
}
function checkPm2List(stdout) {
  const apps = JSON.parse(stdout);
  const online = apps.filter((a) => pm2Names.includes(a.name) && a.pm2_env?.status === 'online');
  if (online.length !== SERVICES) throw new Error(`pm2 jlist shows ${online.length} of ${SERVICES} apps online`);
}

async function statusSeries(runs) {
  const series = { floor: [], svc: [], pm2: [] };
  const one = {
    floor: async () => (await mustSucceed('node -e 0', floor())).ms,
    svc: async () => {
      const r = await mustSucceed('svc status --json', svc(['status', '--json']));
      checkSvcStatus(r.stdout);
      return r.ms;
    },
    pm2: async () => {
      const r = await mustSucceed('pm2 jlist', pm2(['jlist']));
      checkPm2List(r.stdout);
      return r.ms;
    },
  };
  for (let i = 0; i < 3; i++) for (const tool of ['floor', 'svc', 'pm2']) await one[tool](); // warm-up, not recorded
  // Every order of the three in turn, so none always runs first or after the same neighbour.
  const orders = [['floor', 'svc', 'pm2'], ['svc', 'pm2', 'floor'], ['pm2', 'floor', 'svc'], ['floor', 'pm2', 'svc'], ['pm2', 'svc', 'floor'], ['svc', 'floor', 'pm2']];
  for (let i = 0; i < runs; i++) for (const tool of orders[i % orders.length]) series[tool].push(await one[tool]());
  return series;
}

let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  return sweep({
    stops: [
      { what: 'svc daemon stop', file: SVC_BIN, argv: ['daemon', 'stop'], env: svcEnv, cwd: CONFIG_DIR },
      { what: 'pm2 kill', file: PM2_BIN, argv: ['kill'], env: pm2Env, cwd: CONFIG_DIR },
    ],
    marker: MARKER,
    scratch,
  });
}
process.on('exit', () => cleanup());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

const results = { cliBuild: { digest: cli.digest, builtAt: cli.builtAt }, statusRuns: STATUS_RUNS, startRuns: START_RUNS, cpus: cpus().length, pm2: JSON.parse(readFileSync(path.join(here, 'node_modules', 'pm2', 'package.json'), 'utf8')).version };
const problems = await measure(async () => {
  noteLoad('start');
  // 1. Cold starts: nothing of either tool runs before each command.
  results.cold = await startSeries('cold', START_RUNS);
  noteLoad('after cold starts');
  results['cold-edited'] = await startSeries('cold-edited', START_RUNS);
  noteLoad('after cold starts, config edited');

  // 2. The 5 services under each tool.
  for (let i = 0; i < SERVICES; i++) {
    await mustSucceed(`svc start ${svcNames[i]}`, svc(['start', svcNames[i]]));
    await mustSucceed(`pm2 start ${pm2Names[i]}`, pm2Start(pm2Names[i], pm2Ports[i]));
  }
  for (const port of [...svcPorts, ...pm2Ports]) await firstConnect(port);
  checkSvcStatus((await svc(['status', '--json'])).stdout);
  checkPm2List((await pm2(['jlist'])).stdout);
  results.status = await statusSeries(STATUS_RUNS);
  noteLoad('after status');

  // 3. Warm starts: the tool's daemon is up with the 5 services.
  results.warm = await startSeries('warm', START_RUNS);
  noteLoad('after warm starts');

  // 4. Readiness none, warm: an ad-hoc service with no check. svc start waits for the start window
  //    (1 s of staying up) before it says started; pm2 start says "online" at the spawn. And a
  //    command that exits at once: svc start answers with the failure at that exit.
  results.none = { svc: [], pm2: [], failing: [] };
  for (let i = 0; i < NONE_RUNS; i++) {
    results.none.svc.push(await timedStart(() => svc(['start', 'bench-none', '--', NODE, SERVER, String(svcNonePort)]), svcNonePort));
    await mustSucceed('svc stop bench-none', svc(['stop', 'bench-none']));
    results.none.pm2.push(await timedStart(() => pm2Start('bench-none', pm2NonePort), pm2NonePort));
    await mustSucceed('pm2 delete bench-none', pm2(['delete', 'bench-none']));
    const failed = await svc(['start', 'bench-fail', '--', NODE, '-e', 'process.exit(1)']);
    if (failed.code !== 1) throw new Error(`svc start of a failing command exited ${failed.code}, not 1\n${failed.stdout}\n${failed.stderr}`);
    results.none.failing.push(failed.ms);
    await mustSucceed('svc stop bench-fail', svc(['stop', 'bench-fail']));
  }
  noteLoad('after readiness none');
}, cleanup);
noteLoad('end');
results.loads = loads;
results.leftoverProblems = problems;

const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
const { floor: fl, svc: sv, pm2: pm } = results.status;
console.log(`node ${process.version}, PM2 ${results.pm2}, svc build ${cli.digest} (dist of apps/cli and the packages it links, newest file ${cli.builtAt}, copied at the start), ${results.cpus} CPUs, load average ${loads.map((l) => l.loadavg[0]).join(' → ')} (1 min, at each phase)\n`);
console.log(`### svc status --json vs pm2 jlist, ${SERVICES} services running each, ${STATUS_RUNS} interleaved runs\n`);
console.log('| command | median ms | p90 ms | median × `node -e 0` | p90 × `node -e 0` |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [label, xs] of [['`node -e 0`', fl], ['`svc status --json`', sv], ['`pm2 jlist`', pm]]) {
  console.log(`| ${label} | ${f1(median(xs))} | ${f1(percentile(xs, 90))} | ${f2(median(xs) / median(fl))} | ${f2(percentile(xs, 90) / percentile(fl, 90))} |`);
}
const statusRatio = median(sv) / median(pm);
console.log(`\nsvc ÷ pm2: median ${f2(statusRatio)}×, p90 ${f2(percentile(sv, 90) / percentile(pm, 90))}× (target ≤ 0.5×: ${statusRatio <= 0.5 ? 'met' : 'not met'})\n`);
results.statusSummary = { floorMedian: median(fl), svcMedian: median(sv), pm2Median: median(pm), svcP90: percentile(sv, 90), pm2P90: percentile(pm, 90), floorP90: percentile(fl, 90), ratio: statusRatio };

console.log(`### start until the port accepts a connection, ${START_RUNS} runs each, alternating\n`);
console.log('| daemon before | command | port answers, median ms (p90) | CLI exits, median ms (p90) |');
console.log('| --- | --- | ---: | ---: |');
results.startSummary = {};
const KINDS = { cold: 'none (cold)', 'cold-edited': 'none (cold), svc config edited', warm: `up, ${SERVICES} services (warm)` };
for (const kind of Object.keys(KINDS)) {
  for (const tool of ['svc', 'pm2']) {
    const port = results[kind][tool].map((r) => r.portMs);
    const exit = results[kind][tool].map((r) => r.exitMs);
    results.startSummary[`${kind}-${tool}`] = { portMedian: median(port), portP90: percentile(port, 90), exitMedian: median(exit), exitP90: percentile(exit, 90) };
    const label = tool === 'svc' ? '`svc start bench-start`' : '`pm2 start … --name bench-start`';
    console.log(`| ${KINDS[kind]} | ${label} | ${f1(median(port))} (${f1(percentile(port, 90))}) | ${f1(median(exit))} (${f1(percentile(exit, 90))}) |`);
  }
}
console.log('\n| ratio svc ÷ pm2 (medians) | until the port answers | until the CLI exits | target (port, cold) ≤ 0.5× |');
console.log('| --- | ---: | ---: | --- |');
for (const kind of Object.keys(KINDS)) {
  const s = results.startSummary[`${kind}-svc`];
  const p = results.startSummary[`${kind}-pm2`];
  const ratio = s.portMedian / p.portMedian;
  results.startSummary[`${kind}-ratio`] = { port: ratio, exit: s.exitMedian / p.exitMedian };
  const verdict = kind === 'warm' ? '—' : ratio <= 0.5 ? 'met' : 'not met';
  console.log(`| ${kind} | ${f2(ratio)}× | ${f2(s.exitMedian / p.exitMedian)}× | ${verdict} |`);
}
{
  const { svc: ns, pm2: np, failing } = results.none;
  const med = (rs, key) => median(rs.map((r) => r[key]));
  results.noneSummary = { svcExit: med(ns, 'exitMs'), svcPort: med(ns, 'portMs'), pm2Exit: med(np, 'exitMs'), pm2Port: med(np, 'portMs'), failingExit: median(failing) };
  console.log(`\n### readiness none (ad hoc, warm), ${NONE_RUNS} runs each: svc start pays its start window\n`);
  console.log('| command | port answers, median ms | CLI exits, median ms |');
  console.log('| --- | ---: | ---: |');
  console.log(`| \`svc start bench-none -- node server\` (says started after 1 s up) | ${f1(results.noneSummary.svcPort)} | ${f1(results.noneSummary.svcExit)} |`);
  console.log(`| \`pm2 start server --name bench-none\` (says online at the spawn) | ${f1(results.noneSummary.pm2Port)} | ${f1(results.noneSummary.pm2Exit)} |`);
  console.log(`| \`svc start bench-fail -- node -e 'process.exit(1)'\` (exit 1 with the failure) | — | ${f1(results.noneSummary.failingExit)} |`);
}
if (problems.length > 0) console.log(`\nCleanup: ${problems.join('; ')}`);
console.log(`\nresults: ${path.relative(process.cwd(), writeResults('cli', results))}`);
