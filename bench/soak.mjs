// The soak run (not in the test suite): one svc daemon under churn for DURATION, sampled every
// SAMPLE, and PM2's daemon under the same crash churn, at the same time on the same machine.
//
// svc (the built CLI, its own SVC_HOME, one project):
//   - crasher: exits 1 after 2–5 s; on-failure, 500 ms delay (factor 1), crashLoop 1000 starts in
//     1 min: at most ~24 starts a minute happen, so it never gives up;
//   - web: an unmodified node:http app, instances 2, listen; `svc reload web` every 30 s under 20
//     keep-alive connections (lib/http-load.mjs): every failed request counts;
//   - logger: numbered lines at 10 000/s, logs.maxSize 1MB, maxFiles 3 (a rotation about every
//     second); one `svc logs logger -f` follows the whole run: every gap and duplicate counts (a
//     follower the daemon cuts off is replaced at once, and the cut counted);
//   - leader: lock { backend: redis, ttl: 2s } on a redis-server of its own; every 30 s the lease
//     flaps: redis is paused (SIGSTOP) for 5 s, or its keys are deleted, in turn;
//   - clients: `svc status --json` every 5 s, `svc logs crasher -f` for 3 s every 15 s.
// PM2 (its own PM2_HOME): the same crasher, `--restart-delay 500`, max restarts 10^6; `pm2 jlist`
// every 10 s (its status client).
// Sampled: the daemon's RSS and RssAnon (/proc), its V8 heap used and reserved, open fds, processes
// below it, event-loop lag (p99 and max over the last minute; heap and lag from its metrics endpoint,
// daemon.json's metrics.listen), lines written vs read back; PM2's daemon's RSS, fds, processes.
// At the end: everything stopped, orphans counted, slopes after the warm-up, PASS/FAIL.
//
//   node bench/soak.mjs [--smoke] [--duration 30m] [--sample 10s] [--warmup 20%]
//   (or DURATION / SAMPLE / WARMUP in the environment; --smoke = 3 minutes)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, writeResults } from './lib/report.mjs';
import { every, follower, shortLived, startRedis } from './lib/soak-clients.mjs';
import { writeSoakApps } from './lib/soak-apps.mjs';
import { forkLoad } from './lib/soak-load.mjs';
import { soakReport } from './lib/soak-report.mjs';
import { commandLine, cpuMsOf, descendants, fdCount, findByCommand, memoryOf } from './lib/soak-proc.mjs';
import { lineChecker } from './lib/soak-stats.mjs';
import { freePorts, leftovers, mustSucceed, runNode, snapshotCli, sweep } from './lib/tools.mjs';

const { values: args } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, duration: { type: 'string' }, sample: { type: 'string' }, warmup: { type: 'string' } },
});
/** "30m", "90s", "500ms", "1h" or a number of ms. */
function ms(text, what) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim());
  if (!m) throw new Error(`${what}: expected a duration such as 30m, 90s or 500ms, got ${JSON.stringify(text)}`);
  return Number(m[1]) * { ms: 1, s: 1e3, m: 60e3, h: 3600e3 }[m[2] ?? 'ms'];
}
const DURATION_MS = args.smoke ? 3 * 60e3 : ms(args.duration ?? process.env.DURATION ?? '30m', 'DURATION');
const SAMPLE_MS = ms(args.sample ?? process.env.SAMPLE ?? '10s', 'SAMPLE');
const warmupText = args.warmup ?? process.env.WARMUP ?? '20%';
const WARMUP_MS = warmupText.endsWith('%') ? (DURATION_MS * Number(warmupText.slice(0, -1))) / 100 : ms(warmupText, 'WARMUP');
if (!(WARMUP_MS < DURATION_MS)) throw new Error(`WARMUP (${warmupText}) must be shorter than DURATION`);
const RELOAD_EVERY_MS = 30_000;
const FLAP_EVERY_MS = 30_000;
const FLAP_PAUSE_MS = 5_000; // longer than the lease's 2 s ttl: the lease is lost
const STATUS_EVERY_MS = 5_000;
const LOGS_CLIENT_EVERY_MS = 15_000;
const LOGS_CLIENT_FOR_MS = 3_000;
const PM2_LIST_EVERY_MS = 10_000;
const LOG_RATE = 10_000;
const CONNECTIONS = 20;
const NO_ANSWER_MS = 10_000;
const RESTART_DELAY_MS = 500;

const here = import.meta.dirname;
const NODE = process.execPath;
const CLI_DIR = path.join(here, '..', 'apps', 'cli');
const PM2_BIN = path.join(here, 'node_modules', 'pm2', 'bin', 'pm2');
for (const file of [path.join(CLI_DIR, 'dist', 'commands.js'), PM2_BIN]) if (!existsSync(file)) throw new Error(`${file} is missing: build the CLI (pnpm --filter @svc/cli build)`);
const scratch = mkdtempSync(path.join(tmpdir(), 'svc-soak-'));
const epoch = performance.now();
const now = () => performance.now() - epoch;
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const log = (line) => process.stderr.write(`[${(now() / 1000).toFixed(1)}s] ${line}\n`);

/*
 * @svc/supervisor builds in two steps (its second writes dist/daemon.js): a copy taken between them
 * has no daemon. Copy again, a few seconds apart, until the copy is whole.
 */
function wholeCli() {
  for (let attempt = 0; attempt < 30; attempt++) {
    const copy = snapshotCli(CLI_DIR, scratch);
    const build = path.join(scratch, 'build');
    const missing = readdirSync(build).filter((dir) => existsSync(path.join(build, dir, 'bin', 'daemon.mjs')) && !existsSync(path.join(build, dir, 'dist', 'daemon.js')));
    if (missing.length === 0) return copy;
    spawnSync('sleep', ['5']);
  }
  throw new Error('the built @svc/supervisor has no dist/daemon.js: build it (pnpm --filter @svc/supervisor build)');
}
const cli = wholeCli();
const SVC_HOME = path.join(scratch, 'svc-home');
const PM2_HOME = path.join(scratch, 'pm2-home');
const PROJECT = path.join(scratch, 'project');
mkdirSync(SVC_HOME, { mode: 0o700 });
mkdirSync(PROJECT);
const apps = writeSoakApps(PROJECT);
const GO_FILE = path.join(scratch, 'logger-go');
const COUNT_FILE = path.join(scratch, 'logger-count.json');
// Every process of the run inherits this: the sweep at the end finds leftovers by it.
const MARKER = `SVC_SOAK=${scratch}`;
const baseEnv = { ...process.env, SVC_SOAK: scratch, NO_COLOR: '1' };
for (const key of ['PM2_HOME', 'SVC_HOME', 'XDG_RUNTIME_DIR', 'XDG_STATE_HOME', 'XDG_CONFIG_HOME', 'SVC_NOTIFY', 'LISTEN_FDS', 'LISTEN_PID', 'NODE_OPTIONS']) delete baseEnv[key];
const svcEnv = { ...baseEnv, SVC_HOME };
const pm2Env = { ...baseEnv, PM2_HOME };
const svc = (argv) => runNode(cli.bin, argv, { env: svcEnv, cwd: PROJECT, clock: now });
const pm2 = (argv) => runNode(PM2_BIN, argv, { env: pm2Env, cwd: PROJECT, clock: now });

const [webPort, redisPort, metricsPort] = await freePorts(3);
writeFileSync(path.join(SVC_HOME, 'daemon.json'), `${JSON.stringify({ metrics: { listen: `127.0.0.1:${metricsPort}` } })}\n`);
const config = {
  services: {
    crasher: {
      command: NODE,
      args: [apps.crasher],
      restart: { policy: 'on-failure', delay: `${RESTART_DELAY_MS}ms`, factor: 1, maxDelay: `${RESTART_DELAY_MS}ms`, crashLoop: { count: 1000, window: '1m' } },
    },
    web: { command: NODE, args: [apps.web], env: { APP_PORT: String(webPort) }, instances: 2, listen: { port: webPort, host: '127.0.0.1' }, readiness: { type: 'notify', timeout: '30s' }, stop: { timeout: '10s' } },
    logger: { command: NODE, args: [apps.logger], env: { SOAK_LOG_RATE: String(LOG_RATE), SOAK_GO: GO_FILE, SOAK_COUNT: COUNT_FILE }, logs: { maxSize: '1MB', maxFiles: 3 } },
    leader: { command: NODE, args: [apps.leader], restart: { policy: 'always' }, lock: { backend: 'redis', url: `redis://127.0.0.1:${redisPort}`, ttl: '2s', key: 'soak-leader' } },
  },
};
writeFileSync(path.join(PROJECT, 'svc.config.json'), `${JSON.stringify(config, null, 2)}\n`);

// ---------------------------------------------------------------------------------------------
// Cleanup: anything still carrying the marker after the tools' own shutdown.

let redis = null;
let cleaned = false;
function cleanup() {
  if (cleaned) return [];
  cleaned = true;
  // A paused server would survive the sweep's SIGKILL only as a stopped process: resume it first.
  if (redis) {
    try {
      redis.resume();
    } catch {
      // ESRCH: redis-server has already exited.
    }
  }
  return sweep({ stops: [{ what: 'svc stop --all', file: cli.bin, argv: ['stop', '--all'], env: svcEnv, cwd: PROJECT }, { what: 'pm2 kill', file: PM2_BIN, argv: ['kill'], env: pm2Env, cwd: PROJECT }], marker: MARKER, scratch });
}
process.on('exit', () => cleanup());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

// ---------------------------------------------------------------------------------------------
// Samples.

const samples = [];
let svcDaemon = null;
const daemonPids = new Set();
const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // not written yet (the logger has not started counting)
  }
};
async function scrapeMetrics() {
  const t0 = now();
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    ms: now() - t0,
    rssBytes: value('svc_daemon_resident_memory_bytes'),
    heapUsedBytes: value('svc_daemon_heap_used_bytes'),
    heapTotalBytes: value('svc_daemon_heap_total_bytes'),
    externalBytes: value('svc_daemon_external_memory_bytes'),
    lagP99Ms: value('svc_daemon_event_loop_lag_p99_seconds') * 1e3, lagMaxMs: value('svc_daemon_event_loop_lag_max_seconds') * 1e3 };
}
function pm2Daemon() {
  const pid = Number(readJson(path.join(PM2_HOME, 'pm2.pid')) ?? Number.NaN);
  return Number.isInteger(pid) ? pid : null;
}
async function sample() {
  if (svcDaemon === null || memoryOf(svcDaemon) === null) svcDaemon = findByCommand(`SVC_HOME=${SVC_HOME}`, /daemon\.mjs/);
  if (svcDaemon !== null) daemonPids.add(svcDaemon);
  const god = pm2Daemon();
  let metrics;
  try {
    metrics = await scrapeMetrics();
  } catch (error) {
    metrics = { error: String(error) };
  }
  const count = readJson(COUNT_FILE);
  const requestsStarted = load ? (await load.counts()).started : 0;
  const s = {
    tMs: Math.round(now() - startedAt),
    svc: { pid: svcDaemon, ...memoryOf(svcDaemon), cpuMs: cpuMsOf(svcDaemon), fds: fdCount(svcDaemon), children: descendants(svcDaemon).length, metrics },
    pm2: { pid: god, ...memoryOf(god), cpuMs: god ? cpuMsOf(god) : null, fds: fdCount(god), children: god ? descendants(god).length : null },
    lines: { written: count?.written ?? 0, read: checker.state.read, lost: checker.state.lost, told: checker.state.toldSkipped, duplicated: checker.state.duplicated, cuts: follow.exits.length },
    requestsStarted,
    loadavg: loadavg()[0],
  };
  samples.push(s);
  const mb = (b) => (b / 2 ** 20).toFixed(1);
  log(`svc rss ${mb(s.svc.rssBytes)} MB anon ${mb(s.svc.rssAnonBytes)} fds ${s.svc.fds} children ${s.svc.children} heap ${mb(metrics.heapUsedBytes)}/${mb(metrics.heapTotalBytes)} MB ext ${mb(metrics.externalBytes)} MB lag p99 ${metrics.lagP99Ms?.toFixed(1)} ms | pm2 rss ${mb(s.pm2.rssBytes)} MB fds ${s.pm2.fds} | lines ${s.lines.written}/${s.lines.read} lost ${s.lines.lost} told ${s.lines.told} dup ${s.lines.duplicated} cuts ${s.lines.cuts} | requests ${s.requestsStarted} | load ${s.loadavg.toFixed(1)}`);
}

// ---------------------------------------------------------------------------------------------
// The run.

const checker = lineChecker();
const tallies = { reloads: [], status: { ok: 0, failed: [] }, logsClients: { ok: 0, failed: [] }, pm2List: { ok: 0, failed: [] }, flaps: [] };
let load;
let startedAt = 0;
let startedWall = 0;
let follow;
const results = {
  cliBuild: { digest: cli.digest, builtAt: cli.builtAt },
  pm2: JSON.parse(readFileSync(path.join(here, 'node_modules', 'pm2', 'package.json'), 'utf8')).version,
  cpus: cpus().length,
  settings: { durationMs: DURATION_MS, sampleMs: SAMPLE_MS, warmupMs: WARMUP_MS, smoke: args.smoke, reloadEveryMs: RELOAD_EVERY_MS, flapEveryMs: FLAP_EVERY_MS, flapPauseMs: FLAP_PAUSE_MS, statusEveryMs: STATUS_EVERY_MS, logsClientEveryMs: LOGS_CLIENT_EVERY_MS, pm2ListEveryMs: PM2_LIST_EVERY_MS, logRate: LOG_RATE, connections: CONNECTIONS, restartDelayMs: RESTART_DELAY_MS, pm2Phase: 'the same run, at the same time' },
  config,
};
try {
  redis = await startRedis(redisPort, { env: baseEnv, dir: scratch });
  log(`redis-server pid ${redis.pid} on ${redisPort}; starting svc (web on ${webPort}, metrics on ${metricsPort})`);
  await mustSucceed('svc start --all', svc(['start', '--all']));
  let readyLine = false;
  const onLine = (text, at) => {
    readyLine ||= /^soak-logger \d+ ready$/.test(text);
    checker.accept(text, at);
  };
  follow = follower(cli.bin, ['logs', 'logger', '-f', '-n', '10'], { env: svcEnv, cwd: PROJECT, now, onLine, onSkipped: (count) => checker.told(count), onCut: () => checker.resync(), againArgv: ['logs', 'logger', '-f', '-n', '0'] });
  for (const deadline = now() + 60_000; !readyLine; await sleep(50)) if (now() > deadline || follow.exits.length > 0) throw new Error(`the follower did not show the logger's ready line within 60 s: ${JSON.stringify(follow.exits)}`);
  writeFileSync(GO_FILE, '');
  results.loggerGoAtMs = Math.round(now());
  log('follower connected; logger started; starting PM2');
  await mustSucceed('pm2 start', pm2(['start', apps.crasher, '--name', 'crasher', '--restart-delay', String(RESTART_DELAY_MS), '--max-restarts', '1000000']));

  startedAt = now();
  startedWall = Date.now();
  load = forkLoad(webPort, { connections: CONNECTIONS, noAnswerMs: NO_ANSWER_MS, env: baseEnv });
  const loops = [
    every(SAMPLE_MS, 0, sample),
    every(RELOAD_EVERY_MS, RELOAD_EVERY_MS, async () => {
      const r = await svc(['reload', 'web', '--json']);
      let answer = null;
      try {
        answer = JSON.parse(r.stdout);
      } catch {
        // not JSON: the reload failed, kept below with its output
      }
      const ok = r.code === 0 && answer?.mode === 'reload' && answer?.replaced === 2;
      tallies.reloads.push({ atMs: Math.round(r.t0 - startedAt), ms: Math.round(r.ms), ok, ...(ok ? {} : { code: r.code, stdout: r.stdout.slice(-500), stderr: r.stderr.slice(-500) }) });
    }),
    every(FLAP_EVERY_MS, FLAP_EVERY_MS / 2, async () => {
      const kind = tallies.flaps.length % 2 === 0 ? 'pause' : 'delete';
      const at = Math.round(now() - startedAt);
      if (kind === 'pause') {
        redis.pause();
        await sleep(FLAP_PAUSE_MS);
        redis.resume();
      } else redis.flush();
      tallies.flaps.push({ kind, atMs: at });
    }),
    every(STATUS_EVERY_MS, 1_000, async () => {
      const r = await svc(['status', '--json']);
      let items = null;
      try {
        items = JSON.parse(r.stdout);
      } catch {
        // not JSON: counted as failed below
      }
      if (r.code === 0 && Array.isArray(items)) tallies.status.ok++;
      else tallies.status.failed.push({ atMs: Math.round(r.t0 - startedAt), code: r.code, stderr: r.stderr.slice(-300) });
    }),
    every(LOGS_CLIENT_EVERY_MS, 2_000, async () => {
      const atMs = Math.round(now() - startedAt);
      const r = await shortLived(cli.bin, ['logs', 'crasher', '-f', '-n', '5'], { env: svcEnv, cwd: PROJECT, forMs: LOGS_CLIENT_FOR_MS });
      if (!r.endedEarly && r.lines > 0) tallies.logsClients.ok++;
      else tallies.logsClients.failed.push({ atMs, loadavg: loadavg()[0], ...r });
    }),
    every(PM2_LIST_EVERY_MS, 3_000, async () => {
      const r = await pm2(['jlist']);
      if (r.code === 0) tallies.pm2List.ok++;
      else tallies.pm2List.failed.push({ code: r.code, stderr: r.stderr.slice(-300) });
    }),
  ];
  log(`soak for ${+(DURATION_MS / 60e3).toFixed(2)} min, sampled every ${SAMPLE_MS / 1e3} s, warm-up ${+(WARMUP_MS / 60e3).toFixed(2)} min`);
  await sleep(DURATION_MS);
  await loops[0].stop();
  await sample(); // the last sample at the end of the run
  for (const l of loops.slice(1)) await l.stop();
  results.loopErrors = loops.map((l) => l.errors).flat();
  results.actualDurationMs = Math.round(now() - startedAt);
  const loadResult = await load.stop();
  results.requests = { ok: loadResult.ok, failed: loadResult.failed, failedKinds: loadResult.failures.reduce((k, r) => ({ ...k, [r.code]: (k[r.code] ?? 0) + 1 }), {}) };
  results.pm2Apps = JSON.parse((await mustSucceed('pm2 jlist', pm2(['jlist']))).stdout).map((a) => ({ name: a.name, restarts: a.pm2_env?.restart_time, status: a.pm2_env?.status }));

  log('stopping the logger; waiting for the follower to read its last line');
  const loggerStopAtMs = now();
  await mustSucceed('svc stop logger', svc(['stop', 'logger']));
  const final = readJson(COUNT_FILE);
  for (const deadline = now() + 120_000; checker.lastOf(final.pid) < final.written && now() < deadline; ) await sleep(200);
  await follow.stop();
  results.lines = { written: final.written, writerPid: final.pid, read: checker.state.read, lastRead: checker.lastOf(final.pid), lostInGaps: checker.state.lost, lostAtEnd: final.written - checker.lastOf(final.pid), duplicated: checker.state.duplicated, gaps: checker.state.gaps, duplicates: checker.state.duplicates, writers: [...checker.writers].map(([pid, w]) => ({ pid, ...w })), ratePerSecond: final.written / (final.ms / 1000), missedWhileCut: checker.state.missedWhileCut, toldSkipped: checker.state.toldSkipped, unmatchedNotices: checker.unmatchedNotices(), followerCuts: follow.exits.filter((e) => e.atMs < loggerStopAtMs), followerEndedAfterStop: follow.exits.some((e) => e.atMs >= loggerStopAtMs) };

  log('svc stop --all; counting what is left');
  const stopAll = await svc(['stop', '--all']);
  results.stopAll = { code: stopAll.code, ms: Math.round(stopAll.ms) };
  let left = leftovers(`SVC_HOME=${SVC_HOME}`);
  for (const deadline = now() + 30_000; left.length > 0 && now() < deadline; left = leftovers(`SVC_HOME=${SVC_HOME}`)) await sleep(200);
  results.orphans = left.map((pid) => ({ pid, command: commandLine(pid).slice(0, 200) }));
  await mustSucceed('pm2 kill', pm2(['kill']));
  let pm2Left = leftovers(`PM2_HOME=${PM2_HOME}`);
  for (const deadline = now() + 30_000; pm2Left.length > 0 && now() < deadline; pm2Left = leftovers(`PM2_HOME=${PM2_HOME}`)) await sleep(200);
  results.pm2Orphans = pm2Left.map((pid) => ({ pid, command: commandLine(pid).slice(0, 200) }));
  await redis.stop();
  results.events = svcEvents();
} catch (error) {
  const problems = cleanup();
  console.error(error);
  for (const p of problems) console.error(p);
  process.exit(1);
}

/** The daemon's event logs (`<SVC_HOME>/…/<service>[.<instance>].events.jsonl`): counts, and the leader's lease events. */
function svcEvents() {
  const all = [];
  for (const entry of readdirSync(SVC_HOME, { recursive: true })) {
    if (!String(entry).endsWith('.events.jsonl')) continue;
    for (const line of readFileSync(path.join(SVC_HOME, String(entry)), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        all.push(JSON.parse(line));
      } catch {
        // a line cut by a crash: not one of the events counted here
      }
    }
  }
  const count = (service, type) => all.filter((e) => e.service === service && e.type === type).length;
  const lease = all
    .filter((e) => e.service === 'leader' && (String(e.type).startsWith('lease-') || e.type === 'state'))
    .map((e) => ({ atMs: Date.parse(e.time) - startedWall, ...e }))
    .sort((a, b) => a.atMs - b.atMs);
  return { crasherExits: count('crasher', 'exited'), crasherGaveUp: count('crasher', 'gave-up'), webReloadsDone: count('web', 'reload-done'), webReloadsFailed: count('web', 'reload-failed'), loggerExits: count('logger', 'exited'), lease, leaseCounts: Object.fromEntries(['lease-acquired', 'lease-lost', 'lease-error', 'lease-released'].map((t) => [t, count('leader', t)])) };
}

results.daemonPids = [...daemonPids];
results.tallies = tallies;
results.samples = samples;
results.leftoverProblems = cleanup();
const { table, chart, summary } = soakReport(results, { median });
results.summary = summary;
const chartFile = path.join(here, 'results', 'soak.svg');
writeFileSync(chartFile, chart);
console.log(table);
console.log(`\nresults: ${path.relative(process.cwd(), writeResults('soak', results))}, chart: ${path.relative(process.cwd(), chartFile)}`);
