// @svc/ipc round trip vs an HTTP GET on loopback. Run: `pnpm --filter @svc/ipc build && node bench/ipc.bench.mjs`
//
// The same small request both ways: an @svc/ipc call `status` over a Unix socket, and a GET
// /status to a node:http server on 127.0.0.1 through a keep-alive agent (what a user would build
// instead). Both servers run in one child process (this file with --serve) and answer the same
// small JSON object; the client parses it both ways. Measured on 1 connection (calls one after the
// other) and on 10 connections (10 loops at once), in alternating rounds so that load drift on
// the shared machine hits both sides alike. Reports p50/p99 latency, calls/s and the ratio.
// Target: our p50 round trip ≤ 0.5× HTTP's.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, writeResults } from './lib/report.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 3000);
const WARMUP_CALLS = 2000;
const CONCURRENT = 10;

const STATUS = { name: 'api', state: 'running', pid: 4242, restarts: 0, uptimeMs: 123456 };

async function serve(dir) {
  const { createIpcServer } = await import('@svc/ipc');
  const ipc = await createIpcServer({
    path: path.join(dir, 'run', 'bench.sock'),
    methods: { status: { handle: () => STATUS } },
  });
  const body = JSON.stringify(STATUS);
  const server = http.createServer((req, res) => {
    if (req.url !== '/status') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ ipcPath: ipc.path, port: server.address().port }));
  process.on('message', async (message) => {
    if (message === 'stop') {
      await ipc.close();
      server.close();
      server.closeAllConnections();
      process.disconnect();
    }
  });
}

function httpGet(agent, port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/status', agent }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
        else resolve(JSON.parse(data));
      });
    });
    req.on('error', reject);
  });
}

/** Runs `calls` requests through `loops` concurrent loops; returns each call's latency (ms) and the wall time. */
async function measure(requesters, calls) {
  const latencies = [];
  const perLoop = Math.ceil(calls / requesters.length);
  const started = process.hrtime.bigint();
  await Promise.all(
    requesters.map(async (request) => {
      for (let i = 0; i < perLoop; i++) {
        const t0 = process.hrtime.bigint();
        const result = await request();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (result.pid !== STATUS.pid) throw new Error('wrong answer');
      }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { latencies, wallMs, calls: perLoop * requesters.length };
}

async function main() {
  const { connectIpc } = await import('@svc/ipc');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-ipc-bench-'));
  const child = fork(fileURLToPath(import.meta.url), ['--serve', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { ipcPath, port } = await new Promise((resolve) => child.once('message', resolve));

  const ipcClients = await Promise.all(Array.from({ length: CONCURRENT }, () => connectIpc(ipcPath)));
  const agent1 = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const agent10 = new http.Agent({ keepAlive: true, maxSockets: CONCURRENT });

  const scenarios = {
    'ipc, 1 connection': [() => ipcClients[0].call('status')],
    'http, 1 connection': [() => httpGet(agent1, port)],
    'ipc, 10 connections': ipcClients.map((client) => () => client.call('status')),
    'http, 10 connections': Array.from({ length: CONCURRENT }, () => () => httpGet(agent10, port)),
  };
  for (const requesters of Object.values(scenarios)) await measure(requesters, WARMUP_CALLS);

  const collected = Object.fromEntries(Object.keys(scenarios).map((name) => [name, { latencies: [], wallMs: 0, calls: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, requesters] of Object.entries(scenarios)) {
      const { latencies, wallMs, calls } = await measure(requesters, CALLS_PER_ROUND);
      const into = collected[name];
      for (const latency of latencies) into.latencies.push(latency);
      into.wallMs += wallMs;
      into.calls += calls;
    }
  }

  const rows = Object.entries(collected).map(([name, { latencies, wallMs, calls }]) => ({
    name,
    calls,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    callsPerSecond: (calls / wallMs) * 1000,
  }));
  const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
  const ratios = ['1 connection', '10 connections'].map((shape) => {
    const ipc = byName[`ipc, ${shape}`];
    const web = byName[`http, ${shape}`];
    return {
      shape,
      p50Ratio: ipc.p50Ms / web.p50Ms,
      p99Ratio: ipc.p99Ms / web.p99Ms,
      throughputRatio: ipc.callsPerSecond / web.callsPerSecond,
    };
  });

  console.log(`\n@svc/ipc vs HTTP GET on loopback (keep-alive), ${ROUNDS} rounds × ${CALLS_PER_ROUND} calls per scenario\n`);
  console.log('| scenario | calls | p50 ms | p99 ms | calls/s |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.calls} | ${row.p50Ms.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ${Math.round(row.callsPerSecond)} |`);
  }
  console.log('\n| shape | p50 ipc/http | p99 ipc/http | calls/s ipc/http | target p50 ≤ 0.5× |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const ratio of ratios) {
    console.log(
      `| ${ratio.shape} | ${ratio.p50Ratio.toFixed(2)}× | ${ratio.p99Ratio.toFixed(2)}× | ${ratio.throughputRatio.toFixed(2)}× | ${ratio.p50Ratio <= 0.5 ? 'met' : 'missed'} |`,
    );
  }
  const file = writeResults('ipc', { cpus: os.cpus().length, rounds: ROUNDS, callsPerRound: CALLS_PER_ROUND, rows, ratios });
  console.log(`\nwrote ${file}`);

  await Promise.all(ipcClients.map((client) => client.close()));
  agent1.destroy();
  agent10.destroy();
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();
