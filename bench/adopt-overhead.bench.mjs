// What svc's preload (`listen.adopt`, packages/supervisor/bin/adopt.cjs) costs an unmodified app
// per request: the same node:http app under the same svc daemon, once adopted (`listen`: the app's
// own listen() takes svc's socket, and each request passes the preload's listeners) and once as a
// plain service that binds its port itself (no `listen`, nothing preloaded). One instance each,
// 50 keep-alive connections from our node:http client (lib/http-load.mjs), in slices that
// alternate between the two so that the machine's noise falls on both alike.
//
//   node bench/adopt-overhead.bench.mjs [--slices 6] [--slice-ms 4000] [--connections 50]
// (after pnpm build; svc's CLI is apps/cli/bin/run.js)
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { requestOnce, startLoad } from './lib/http-load.mjs';
import { median, percentile, writeResults } from './lib/report.mjs';
import { freePorts, loadLog, measure, mustSucceed, runNode, snapshotCli, sweep } from './lib/tools.mjs';

const { values: args } = parseArgs({
  options: {
    slices: { type: 'string', default: '6' },
    'slice-ms': { type: 'string', default: '4000' },
    connections: { type: 'string', default: '50' },
  },
});
const SLICES = Number(args.slices);
const SLICE_MS = Number(args['slice-ms']);
const CONNECTIONS = Number(args.connections);
const WARMUP_MS = 2_000;

// The app every PM2 user has, answering who it is (the load client reads { pid, version }).
const APP_SOURCE = `require('http')
  .createServer((req, res) => res.end(JSON.stringify({ pid: process.pid, version: process.env.VERSION })))
  .listen(Number(process.env.APP_PORT), '127.0.0.1');
`;

const here = import.meta.dirname;
const NODE = process.execPath;
const CLI_DIR = path.join(here, '..', 'apps', 'cli');
if (!existsSync(path.join(CLI_DIR, 'dist', 'commands.js'))) throw new Error('build the CLI first (pnpm build)');
const scratch = mkdtempSync(path.join(tmpdir(), 'svc-adopt-bench-'));
const epoch = performance.now();
const now = () => performance.now() - epoch;
const log = (line) => process.stderr.write(`[${(now() / 1000).toFixed(1)}s] ${line}\n`);

const cli = snapshotCli(CLI_DIR, scratch);
const APP_DIR = path.join(scratch, 'app');
mkdirSync(APP_DIR);
const APP = path.join(APP_DIR, 'app.cjs');
writeFileSync(APP, APP_SOURCE);
const MARKER = `SVC_ADOPT_BENCH=${scratch}`;
const env = { ...process.env, SVC_ADOPT_BENCH: scratch, SVC_HOME: path.join(scratch, 'svc-home'), NO_COLOR: '1' };
for (const key of ['XDG_RUNTIME_DIR', 'XDG_STATE_HOME', 'SVC_NOTIFY', 'LISTEN_FDS', 'LISTEN_PID', 'NODE_OPTIONS']) delete env[key];
const { loads, note: noteLoad } = loadLog();
const svc = (argv) => runNode(cli.bin, argv, { env, cwd: APP_DIR, clock: now });

const [adoptedPort, plainPort] = await freePorts(2);
const PORTS = { adopted: adoptedPort, plain: plainPort };
const service = (port, extra) => ({ command: NODE, args: [APP], env: { APP_PORT: String(port), VERSION: 'v1' }, stop: { timeout: '5s' }, ...extra });
writeFileSync(
  path.join(APP_DIR, 'svc.config.json'),
  `${JSON.stringify({ services: { adopted: service(adoptedPort, { listen: { port: adoptedPort }, readiness: { type: 'notify' } }), plain: service(plainPort, {}) } }, null, 2)}\n`,
);

const clientOptions = { now, noAnswerMs: 10_000 };
const slice = async (which, ms) => {
  const load = startLoad(PORTS[which], { connections: CONNECTIONS, pathFor: () => ({ urlPath: '/', delayMs: 0 }), ...clientOptions });
  await new Promise((r) => setTimeout(r, ms));
  const { records, counts, startedAt, stoppedAt } = await load.stop();
  const ms2 = records.filter((r) => r.ok).map((r) => r.ms);
  return { rps: counts.ok / ((stoppedAt - startedAt) / 1000), p50: percentile(ms2, 50), p99: percentile(ms2, 99), failed: counts.failed };
};

let result;
const problems = await measure(
  async () => {
    await mustSucceed('svc start', svc(['start', '--all']));
    for (const which of ['adopted', 'plain']) {
      const r = await requestOnce(PORTS[which], false, '/', clientOptions);
      if (!r.ok) throw new Error(`${which} does not answer: ${r.code}`);
    }
    log('warming up both');
    await slice('adopted', WARMUP_MS);
    await slice('plain', WARMUP_MS);
    const slices = { adopted: [], plain: [] };
    for (let i = 0; i < SLICES; i++) {
      // Alternate which goes first, so neither always follows the other's load.
      for (const which of i % 2 === 0 ? ['adopted', 'plain'] : ['plain', 'adopted']) {
        noteLoad(now());
        const s = await slice(which, SLICE_MS);
        slices[which].push(s);
        log(`${which}: ${s.rps.toFixed(0)} req/s, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, ${s.failed} failed`);
      }
    }
    const summary = (list) => ({ rps: median(list.map((s) => s.rps)), p50: median(list.map((s) => s.p50)), p99: median(list.map((s) => s.p99)), failed: list.reduce((n, s) => n + s.failed, 0) });
    const adopted = summary(slices.adopted);
    const plain = summary(slices.plain);
    result = {
      connections: CONNECTIONS,
      slices: SLICES,
      sliceMs: SLICE_MS,
      adopted,
      plain,
      ratio: { rps: adopted.rps / plain.rps, p50: adopted.p50 / plain.p50, p99: adopted.p99 / plain.p99 },
      perSlice: slices,
      load: loads,
    };
  },
  () => sweep({ stops: [{ what: 'svc stop --all', file: cli.bin, argv: ['stop', '--all'], env, cwd: APP_DIR }], marker: MARKER, scratch }),
);
for (const p of problems) console.error(p);
if (problems.length > 0) process.exitCode = 1;

const r = result;
console.log(`adopted: ${r.adopted.rps.toFixed(0)} req/s, p50 ${r.adopted.p50.toFixed(2)} ms, p99 ${r.adopted.p99.toFixed(2)} ms (${r.adopted.failed} failed)`);
console.log(`plain:   ${r.plain.rps.toFixed(0)} req/s, p50 ${r.plain.p50.toFixed(2)} ms, p99 ${r.plain.p99.toFixed(2)} ms (${r.plain.failed} failed)`);
console.log(`adopted ÷ plain: throughput ${r.ratio.rps.toFixed(3)}×, p50 ${r.ratio.p50.toFixed(3)}×, p99 ${r.ratio.p99.toFixed(3)}×`);
writeResults('adopt-overhead', r);
