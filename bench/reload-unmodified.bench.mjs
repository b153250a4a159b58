// `svc reload` against `pm2 reload` (cluster mode) for an app that knows nothing of either: the
// Express hello world as its docs write it (`app.listen(port)`, no signal handler, no readiness
// message), one more route answering after `?ms=`. Both tools run 2 instances of the same file at
// once, on their own loopback ports, under the same load from our own node:http client (50
// keep-alive connections, handlers of 0–200 ms, every request recorded: lib/http-load.mjs).
//
//   - svc: `instances: 2`, `listen` (the daemon holds the socket; svc's preload makes the app's
//     listen() take it, reports readiness when it listens and drains it on SIGTERM), `svc reload`.
//   - PM2: `pm2 start app.cjs -i 2` (cluster mode, PM2's defaults: no wait_ready, kill_timeout
//     1.6 s), `pm2 reload <name> --update-env`, as its docs give for a zero-downtime reload.
//
// 1. steady state: load slices alternating between the tools → p99 of each;
// 2. N reload rounds (tools alternate which goes first): VERSION changes, the reload command is
//    timed from spawn to exit, the load runs from 1 s before it to 2 s after; failed requests of
//    the round, p99 of the requests started while the command ran ÷ steady p99, and a check that
//    every request started after the command returned was answered by the new version.
//
//   node bench/reload-unmodified.bench.mjs [--rounds 3] [--connections 50] [--steady-ms 3000]
// (after pnpm build; svc's CLI is apps/cli/bin/run.js, PM2 and express are bench/node_modules')
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { failureKinds, requestOnce, startLoad } from './lib/http-load.mjs';
import { median, percentile, writeResults } from './lib/report.mjs';
import { freePorts, loadLog, measure, mustSucceed, runNode, snapshotCli, sweep } from './lib/tools.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'steady-ms': { type: 'string', default: '3000' },
  },
});
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const STEADY_MS = Number(args['steady-ms']);
const STEADY_SLICES = 2; // per tool, alternating
const BEFORE_RELOAD_MS = 1_000;
const AFTER_RELOAD_MS = 2_000;
const NO_ANSWER_MS = 10_000;
const MAX_HANDLER_MS = 200;
const NAME = 'unmodified-bench';
const TOOLS = ['svc', 'pm2'];

// The app, as Express's docs write a hello world; `/work` answers after the delay asked for.
const APP_SOURCE = `const express = require('express');
const app = express();
const port = Number(process.env.APP_PORT);

app.get('/', (req, res) => {
  res.json({ pid: process.pid, version: process.env.VERSION });
});
app.get('/work', (req, res) => {
  setTimeout(() => res.json({ pid: process.pid, version: process.env.VERSION }), Number(req.query.ms) || 0);
});

app.listen(port, () => {
  console.log(\`Example app listening on port \${port}\`);
});
`;

const here = import.meta.dirname;
const NODE = process.execPath;
const CLI_DIR = path.join(here, '..', 'apps', 'cli');
const PM2_BIN = path.join(here, 'node_modules', 'pm2', 'bin', 'pm2');
for (const file of [path.join(CLI_DIR, 'dist', 'commands.js'), PM2_BIN, path.join(here, 'node_modules', 'express', 'package.json')]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: build the CLI (cd apps/cli && pnpm build) and install the bench dependencies`);
}
const scratch = mkdtempSync(path.join(tmpdir(), 'svc-unmodified-bench-'));
const epoch = performance.now();
const now = () => performance.now() - epoch;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => process.stderr.write(`[${(now() / 1000).toFixed(1)}s] ${line}\n`);

const cli = snapshotCli(CLI_DIR, scratch);
const SVC_HOME = path.join(scratch, 'svc-home');
const PM2_HOME = path.join(scratch, 'pm2-home');
const APP_DIR = path.join(scratch, 'app');
mkdirSync(APP_DIR);
const APP = path.join(APP_DIR, 'app.cjs');
writeFileSync(APP, APP_SOURCE);
const SVC_CONFIG = path.join(APP_DIR, 'svc.config.json');
// Every process either tool starts inherits this: the leftover check at the end finds them by it.
const MARKER = `SVC_UNMODIFIED_BENCH=${scratch}`;
// The app is written in the scratch dir: NODE_PATH lets its plain require('express') find bench's.
const baseEnv = { ...process.env, SVC_UNMODIFIED_BENCH: scratch, NO_COLOR: '1', NODE_PATH: path.join(here, 'node_modules') };
for (const key of ['PM2_HOME', 'SVC_HOME', 'XDG_RUNTIME_DIR', 'XDG_STATE_HOME', 'SVC_NOTIFY', 'LISTEN_FDS', 'LISTEN_PID', 'VERSION', 'APP_PORT', 'NODE_OPTIONS']) delete baseEnv[key];
const svcEnv = { ...baseEnv, SVC_HOME };
const { loads, note: noteLoad } = loadLog();

const run = (file, argv, { env, cwd }) => runNode(file, argv, { env, cwd, clock: now });
const svc = (argv) => run(cli.bin, argv, { env: svcEnv, cwd: APP_DIR });
/** PM2 takes the app's environment from the CLI's own (`--update-env` at a reload). */
const pm2 = (argv, version) => run(PM2_BIN, argv, { env: { ...baseEnv, PM2_HOME, APP_PORT: String(PORTS.pm2), VERSION: version ?? '' }, cwd: APP_DIR });

const [svcPort, pm2Port] = await freePorts(2);
const PORTS = { svc: svcPort, pm2: pm2Port };

function writeSvcConfig(version) {
  const service = {
    command: NODE,
    args: [APP],
    env: { VERSION: version, APP_PORT: String(svcPort) },
    instances: 2,
    listen: { port: svcPort, host: '127.0.0.1' },
    readiness: { type: 'notify', timeout: '30s' },
    stop: { timeout: '10s' },
  };
  writeFileSync(SVC_CONFIG, `${JSON.stringify({ services: { [NAME]: service } }, null, 2)}\n`);
}

/** Pids of the app's instances as the tool reports them, and whether both are up. */
async function instancesOf(tool) {
  if (tool === 'svc') {
    const r = await mustSucceed('svc status --json', svc(['status', NAME, '--json']));
    const list = JSON.parse(r.stdout).find((i) => i.name === NAME)?.instances ?? [];
    return { pids: list.map((i) => i.pid).filter(Boolean), up: list.length === 2 && list.every((i) => i.state === 'running') };
  }
  const r = await mustSucceed('pm2 jlist', pm2(['jlist']));
  const list = JSON.parse(r.stdout).filter((a) => a.name === NAME);
  return { pids: list.map((a) => a.pid).filter(Boolean), up: list.length === 2 && list.every((a) => a.pm2_env?.status === 'online') };
}

const clientOptions = { now, noAnswerMs: NO_ANSWER_MS };
const mixedPath = () => {
  const delayMs = Math.floor(Math.random() * (MAX_HANDLER_MS + 1));
  return { urlPath: `/work?ms=${delayMs}`, delayMs };
};
const load = (tool, record = true) => startLoad(PORTS[tool], { connections: CONNECTIONS, pathFor: mixedPath, record, ...clientOptions });

/** Until both listed pids answer with `version` on fresh connections. */
async function waitServing(tool, version, timeoutMs = 30_000) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const { pids, up } = await instancesOf(tool);
    if (up) {
      const seen = new Set();
      for (let i = 0; i < 40 && seen.size < pids.length; i++) {
        const r = await requestOnce(PORTS[tool], false, '/', clientOptions);
        if (r.ok && r.version === version) seen.add(r.pid);
      }
      if (pids.every((p) => seen.has(p))) return pids;
    }
    if (now() > deadline) throw new Error(`${tool}: the 2 instances did not all answer with ${version} within ${timeoutMs} ms (listed pids ${pids.join(', ')})`);
    await sleep(200);
  }
}

async function reloadRound(tool, round, version) {
  const before = await instancesOf(tool);
  if (tool === 'svc') writeSvcConfig(version);
  const running = load(tool);
  await sleep(BEFORE_RELOAD_MS);
  const result = await (tool === 'svc' ? svc(['reload', NAME, '--json']) : pm2(['reload', NAME, '--update-env'], version));
  await sleep(AFTER_RELOAD_MS);
  const { records } = await running.stop();
  if (result.code !== 0) throw new Error(`${tool} reload exited ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  if (tool === 'svc') {
    const answer = JSON.parse(result.stdout);
    if (answer.mode !== 'reload' || answer.replaced !== 2) throw new Error(`svc reload did not replace both instances: ${result.stdout}`);
  }
  const after = await instancesOf(tool);
  const { t0, exitAt } = result;
  const okDuring = records.filter((r) => r.t0 >= t0 && r.t0 <= exitAt && r.ok);
  const afterwards = records.filter((r) => r.t0 > exitAt && r.ok);
  const failed = records.filter((r) => !r.ok);
  return {
    round,
    version,
    reloadMs: result.ms,
    requests: records.length,
    failed: failed.length,
    failures: failureKinds(records),
    failedDetail: failed.map((r) => ({ conn: r.conn, atMs: Number((r.t0 - t0).toFixed(1)), code: r.code, written: r.written, reused: r.reused })),
    p99DuringMs: percentile(okDuring.map((r) => r.ms), 99),
    staleAfter: afterwards.filter((r) => r.version !== version || !after.pids.includes(r.pid)).length,
    answeredAfter: afterwards.length,
    allReplaced: after.up && after.pids.length === 2 && after.pids.every((p) => !before.pids.includes(p)),
  };
}

let cleaned = false;
function cleanup() {
  if (cleaned) return [];
  cleaned = true;
  const stops = [{ what: 'pm2 kill', file: PM2_BIN, argv: ['kill'], env: { ...baseEnv, PM2_HOME }, cwd: APP_DIR }];
  if (existsSync(SVC_CONFIG)) stops.unshift({ what: 'svc stop --all', file: cli.bin, argv: ['stop', '--all'], env: svcEnv, cwd: APP_DIR });
  return sweep({ stops, marker: MARKER, scratch });
}
process.on('exit', () => cleanup());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

const results = {
  cliBuild: { digest: cli.digest, builtAt: cli.builtAt },
  pm2: JSON.parse(readFileSync(path.join(here, 'node_modules', 'pm2', 'package.json'), 'utf8')).version,
  express: JSON.parse(readFileSync(path.join(here, 'node_modules', 'express', 'package.json'), 'utf8')).version,
  cpus: cpus().length,
  settings: { rounds: ROUNDS, connections: CONNECTIONS, steadyMs: STEADY_MS, steadySlices: STEADY_SLICES, beforeReloadMs: BEFORE_RELOAD_MS, afterReloadMs: AFTER_RELOAD_MS, noAnswerMs: NO_ANSWER_MS, maxHandlerMs: MAX_HANDLER_MS },
  steady: {},
  rounds: { svc: [], pm2: [] },
};
const problems = await measure(async () => {
  noteLoad('start');
  writeSvcConfig('v0');
  log(`starting svc (port ${svcPort}) and PM2 (port ${pm2Port}), 2 instances each of the same app`);
  await mustSucceed('svc start', svc(['start', NAME]));
  await mustSucceed('pm2 start', pm2(['start', APP, '-i', '2', '--name', NAME], 'v0'));
  await waitServing('svc', 'v0');
  await waitServing('pm2', 'v0');

  log('warm-up');
  for (const tool of TOOLS) {
    const warm = load(tool, false);
    await sleep(2_000);
    await warm.stop();
  }
  log(`steady state: ${STEADY_SLICES} × ${STEADY_MS} ms per tool, alternating`);
  const steady = { svc: [], pm2: [] };
  for (let i = 0; i < STEADY_SLICES; i++) {
    for (const tool of i % 2 === 0 ? ['svc', 'pm2'] : ['pm2', 'svc']) {
      const slice = load(tool);
      await sleep(STEADY_MS);
      steady[tool].push(...(await slice.stop()).records);
    }
  }
  for (const tool of TOOLS) {
    const okMs = steady[tool].filter((r) => r.ok).map((r) => r.ms);
    results.steady[tool] = { requests: steady[tool].length, failed: steady[tool].length - okMs.length, p50Ms: percentile(okMs, 50), p99Ms: percentile(okMs, 99) };
  }
  noteLoad('after steady state');

  for (let round = 1; round <= ROUNDS; round++) {
    for (const tool of round % 2 === 1 ? ['svc', 'pm2'] : ['pm2', 'svc']) {
      log(`round ${round}: ${tool} reload → v${round}`);
      const r = await reloadRound(tool, round, `v${round}`);
      results.rounds[tool].push(r);
      log(`  ${tool}: ${r.reloadMs.toFixed(0)} ms, ${r.requests} requests, ${r.failed} failed ${JSON.stringify(r.failures)}, p99 during ${r.p99DuringMs.toFixed(1)} ms, stale after ${r.staleAfter}`);
    }
    noteLoad(`after round ${round}`);
  }
}, cleanup);
noteLoad('end');
results.loads = loads;
results.leftoverProblems = problems;

// Report.
const f0 = (n) => n.toFixed(0);
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
const label = { svc: '`svc reload` (instances 2, listen)', pm2: '`pm2 reload` (cluster, `-i 2`)' };
results.summary = {};
for (const tool of TOOLS) {
  const rs = results.rounds[tool];
  const steadyP99 = results.steady[tool].p99Ms;
  results.summary[tool] = {
    failedPerRound: rs.map((r) => r.failed),
    p99SteadyMs: steadyP99,
    p99DuringMs: rs.map((r) => r.p99DuringMs),
    p99RatioPerRound: rs.map((r) => r.p99DuringMs / steadyP99),
    reloadMs: rs.map((r) => r.reloadMs),
    reloadMedianMs: median(rs.map((r) => r.reloadMs)),
    staleAfter: rs.reduce((n, r) => n + r.staleAfter, 0),
    allReplaced: rs.every((r) => r.allReplaced),
  };
}
const S = results.summary.svc;
const P = results.summary.pm2;
results.ratios = { reloadMedian: S.reloadMedianMs / P.reloadMedianMs, worstP99During: Math.max(...S.p99DuringMs) / Math.max(...P.p99DuringMs) };
const lossRounds = P.failedPerRound.map((n, i) => (n > 0 ? i : -1)).filter((i) => i >= 0);
const svcCleanWherePm2Lost = lossRounds.every((i) => S.failedPerRound[i] === 0);
const worstSvcRatio = Math.max(...S.p99RatioPerRound);

const out = [];
out.push(
  `node ${process.version}, PM2 ${results.pm2}, express ${results.express}, svc CLI build ${cli.digest} (apps/cli/dist of ${cli.builtAt}), ${results.cpus} CPUs, ` +
    `load average ${loads.map((l) => l.loadavg[0]).join(' → ')} (1 min, at each phase)`,
  '',
  `${CONNECTIONS} keep-alive connections, handlers 0–${MAX_HANDLER_MS} ms; ${ROUNDS} reload rounds per tool, load from ${BEFORE_RELOAD_MS} ms before the command to ${AFTER_RELOAD_MS} ms after it; steady state ${STEADY_SLICES} × ${STEADY_MS} ms per tool, alternating`,
  '',
  '| tool | failed per round | p99 steady ms | p99 during reload ms, per round | during ÷ steady, per round | reload ms, per round (median) | new version only afterwards | pids replaced |',
  '| --- | --- | ---: | --- | --- | --- | --- | --- |',
);
for (const tool of TOOLS) {
  const m = results.summary[tool];
  out.push(
    `| ${label[tool]} | ${m.failedPerRound.join(', ')} | ${f1(m.p99SteadyMs)} | ${m.p99DuringMs.map(f1).join(', ')} | ${m.p99RatioPerRound.map(f2).join(', ')} | ${m.reloadMs.map(f0).join(', ')} (${f0(m.reloadMedianMs)}) | ${m.staleAfter === 0 ? 'yes' : `NO: ${m.staleAfter} old answers`} | ${m.allReplaced ? 'yes' : 'NO'} |`,
  );
}
out.push('', '| measure | value | goal |', '| --- | ---: | --- |');
out.push(`| svc ÷ PM2, reload time (median) | ${f2(results.ratios.reloadMedian)}× | — |`);
out.push(`| svc ÷ PM2, p99 during reload (worst round) | ${f2(results.ratios.worstP99During)}× | — |`);
out.push(`| svc failed where PM2 lost requests (rounds ${lossRounds.map((i) => i + 1).join(', ') || 'none'}) | ${lossRounds.map((i) => S.failedPerRound[i]).join(', ') || '—'} | 0 (${lossRounds.length === 0 ? 'PM2 lost none' : svcCleanWherePm2Lost ? 'met' : 'not met'}) |`);
out.push(`| svc p99 during reload ÷ steady (worst round) | ${f2(worstSvcRatio)}× | ≤ 2× (${worstSvcRatio <= 2 ? 'met' : 'not met'}) |`);
out.push('', '| round | tool | reload ms | requests | failed: how |', '| ---: | --- | ---: | ---: | --- |');
for (let i = 0; i < ROUNDS; i++) {
  for (const tool of TOOLS) {
    const r = results.rounds[tool][i];
    out.push(`| ${i + 1} | ${tool} | ${f0(r.reloadMs)} | ${r.requests} | ${Object.entries(r.failures).map(([k, n]) => `${n} ${k}`).join('; ') || '0'} |`);
  }
}
out.push('', `Steady state: p50 svc ${f1(results.steady.svc.p50Ms)} ms, PM2 ${f1(results.steady.pm2.p50Ms)} ms; failed svc ${results.steady.svc.failed}, PM2 ${results.steady.pm2.failed}.`);
if (problems.length > 0) out.push('', `Cleanup: ${problems.join('; ')}`);
console.log(out.join('\n'));
console.log(`\nresults: ${path.relative(process.cwd(), writeResults('reload-unmodified', results))}`);
