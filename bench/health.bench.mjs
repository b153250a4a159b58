// @svc/health benchmarks. Run: `pnpm --filter @svc/health build && node bench/health.bench.mjs`
//
// 1. /health requests per second with 3 cached checks, against @godaddy/terminus's health check
//    with the same 3 checks (terminus runs them on every request; it has no cache).
// 2. Throughput of a hello-world node:http server with the health handler installed vs the bare
//    server, keep-alive and connection-per-request. Target ≥ 0.97×.
// 3. Throughput of the same server with the handler and request metrics (`health.instrument`) vs
//    the bare server, keep-alive. Target ≥ 0.95×. And what instrumentation adds to one request,
//    measured without sockets (the 'request' and response 'close' events emitted directly).
//
// Each server runs in its own child process (this file with --serve), so the load client and
// the server do not share an event loop. The load client is plain node:http, loopback only,
// bounded by time and by request count; every request is counted as ok (2xx) or failed.
// The machine is shared and its load drifts, so variants are measured in alternating short
// slices against servers that are all up at once, and ratios are taken pair by pair.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const SLICES = Number(process.env.BENCH_SLICES ?? 20);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 500);
const WARMUP_MS = 500;
const CONCURRENCY = 32;
const MAX_REQUESTS_KEEPALIVE = 200_000;
// Each connection-per-request leaves a TIME_WAIT socket; this keeps a variant's slices together
// well inside the ephemeral port range.
const MAX_REQUESTS_PER_CONNECTION = 10_000;

async function serve(variant) {
  const { createHealth } = await import('@svc/health');
  const hello = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 11 });
    res.end('hello world');
  };
  const checks = [
    ['db', () => new Promise((resolve) => setImmediate(resolve))],
    ['cache', () => true],
    ['queue', () => ({ ok: true, observed: 3 })],
  ];
  let server;
  if (variant === 'bare') {
    server = http.createServer(hello);
  } else if (variant === 'health') {
    const health = createHealth({ notify: 'none' });
    for (const [name, fn] of checks) health.addCheck(name, fn);
    server = http.createServer((req, res) => {
      if (health.handler(req, res)) return;
      hello(req, res);
    });
  } else if (variant === 'metrics') {
    const health = createHealth({ notify: 'none' });
    for (const [name, fn] of checks) health.addCheck(name, fn);
    server = http.createServer((req, res) => {
      if (health.handler(req, res)) return;
      hello(req, res);
    });
    // As an app's router would: a pattern per request (here the only route), never the URL.
    health.instrument(server, { route: (req) => (req.url === '/' ? '/' : undefined) });
  } else if (variant === 'terminus') {
    const { createTerminus } = await import('@godaddy/terminus');
    server = http.createServer(hello);
    createTerminus(server, {
      healthChecks: { '/health': () => Promise.all(checks.map(([, fn]) => fn())) },
      signals: [],
    });
  } else {
    throw new Error(`unknown variant ${variant}`);
  }
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (message) => {
    if (message !== 'stop') return;
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

async function startServer(variant) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send('stop');
      }),
  };
}

function requestOnce(agent, port, path) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent, headers: agent === false ? { connection: 'close' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode >= 200 && res.statusCode < 300));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function load({ port, path, keepAlive, durationMs, maxRequests }) {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }) : false;
  let ok = 0;
  let failed = 0;
  let started = 0;
  const deadline = performance.now() + durationMs;
  const begin = performance.now();
  const worker = async () => {
    while (performance.now() < deadline && started < maxRequests) {
      started++;
      if (await requestOnce(agent, port, path)) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - begin) / 1000;
  if (agent) agent.destroy();
  return { ok, failed, seconds, rps: ok / seconds };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * Paired measurement: every variant's server is up at once, and the client loads them in turn
 * in short slices, alternating the order. The machine's drifting load then hits each variant
 * alike, and the ratio is taken slice pair by slice pair (median of the per-pair ratios).
 */
async function compare(title, path, keepAlive, variants) {
  const servers = [];
  for (const variant of variants) servers.push(await startServer(variant));
  try {
    const maxRequests = keepAlive ? MAX_REQUESTS_KEEPALIVE : Math.floor(MAX_REQUESTS_PER_CONNECTION / SLICES);
    for (const server of servers) await load({ port: server.port, path, keepAlive, durationMs: WARMUP_MS, maxRequests: 2000 });
    const slices = variants.map(() => []);
    for (let slice = 0; slice < SLICES; slice++) {
      const order = slice % 2 === 0 ? variants.map((_, i) => i) : variants.map((_, i) => variants.length - 1 - i);
      for (const i of order) slices[i].push(await load({ port: servers[i].port, path, keepAlive, durationMs: SLICE_MS, maxRequests }));
    }
    const rows = variants.map((variant, i) => ({
      title,
      variant,
      path,
      keepAlive,
      rps: slices[i].reduce((sum, run) => sum + run.ok, 0) / slices[i].reduce((sum, run) => sum + run.seconds, 0),
      sliceMedianRps: median(slices[i].map((run) => run.rps)),
      requests: slices[i].reduce((sum, run) => sum + run.ok + run.failed, 0),
      failed: slices[i].reduce((sum, run) => sum + run.failed, 0),
    }));
    const pairRatio = median(slices[1].map((run, k) => run.rps / slices[0][k].rps));
    return { rows, pairRatio };
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** What the handler costs a request that is not for it: a direct call, in nanoseconds. */
async function passThroughCost() {
  const { createHealth } = await import('@svc/health');
  const health = createHealth({ notify: 'none', defaultMetrics: false });
  const req = { url: '/api/users?page=2', method: 'GET' };
  const calls = 5_000_000;
  let handled = 0;
  for (let i = 0; i < 100_000; i++) handled += health.handler(req, null) ? 1 : 0;
  const begin = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) handled += health.handler(req, null) ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - begin) / calls;
  health.close();
  if (handled !== 0) throw new Error('the handler claimed a path that is not its own');
  return ns;
}

/**
 * What instrument() adds to one request, without sockets: the server's 'request' event and the
 * response's 'close' event emitted by hand on stand-ins, with and without instrumentation, in ns.
 */
async function instrumentedCost() {
  const { EventEmitter } = await import('node:events');
  const { createHealth } = await import('@svc/health');
  const calls = 1_000_000;
  const run = (server) => {
    const req = { url: '/', method: 'GET' };
    const begin = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) {
      const res = new EventEmitter();
      res.statusCode = 200;
      res.writableFinished = true;
      server.emit('request', req, res);
      res.emit('close');
    }
    return Number(process.hrtime.bigint() - begin) / calls;
  };
  const bare = new http.Server();
  bare.on('request', () => undefined);
  const instrumented = new http.Server();
  instrumented.on('request', () => undefined);
  const health = createHealth({ notify: 'none', defaultMetrics: false });
  health.instrument(instrumented, { route: () => '/' });
  const rounds = 5;
  const samples = [];
  // Alternating rounds, after a warm-up of each, as for the servers.
  run(bare);
  run(instrumented);
  for (let round = 0; round < rounds; round++) samples.push(run(instrumented) - run(bare));
  const text = await health.registry.metrics();
  health.close();
  if (!text.includes(`svc_health_http_requests_total{method="GET",status_class="2xx",route="/"} ${calls * (rounds + 1)}`)) {
    throw new Error('the instrumented stand-in requests were not all counted');
  }
  return median(samples);
}

async function main() {
  const started = new Date().toISOString();
  const healthRps = await compare('/health, 3 cached checks', '/health', true, ['terminus', 'health']);
  const keepAlive = await compare('hello world, keep-alive', '/', true, ['bare', 'health']);
  const perConnection = await compare('hello world, connection per request', '/', false, ['bare', 'health']);
  const metricsKeepAlive = await compare('hello world + request metrics, keep-alive', '/', true, ['bare', 'metrics']);
  const passThroughNs = await passThroughCost();
  const instrumentedNs = await instrumentedCost();

  const name = (variant) =>
    ({ health: '@svc/health', metrics: '@svc/health + instrument()', terminus: '@godaddy/terminus', bare: 'bare node:http' })[variant];
  const rows = [...healthRps.rows, ...keepAlive.rows, ...perConnection.rows, ...metricsKeepAlive.rows];
  const summary = {
    healthVsTerminus: healthRps.pairRatio,
    keepAliveVsBare: keepAlive.pairRatio,
    perConnectionVsBare: perConnection.pairRatio,
    metricsKeepAliveVsBare: metricsKeepAlive.pairRatio,
    passThroughNs,
    instrumentedNs,
  };
  const lines = [
    `node ${process.version}, ${SLICES} alternating slices × ${SLICE_MS} ms per variant, concurrency ${CONCURRENCY}`,
    '',
    '| scenario | server | req/s (all slices) | req/s (median slice) | requests | failed |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.title} | ${name(r.variant)} | ${Math.round(r.rps)} | ${Math.round(r.sliceMedianRps)} | ${r.requests} | ${r.failed} |`),
    '',
    '| ratio (median of paired slices) | value | target |',
    '| --- | ---: | --- |',
    `| /health: @svc/health ÷ terminus | ${summary.healthVsTerminus.toFixed(2)}× | — |`,
    `| hello world keep-alive: with health ÷ bare | ${summary.keepAliveVsBare.toFixed(3)}× | ≥ 0.97× |`,
    `| hello world connection per request: with health ÷ bare | ${summary.perConnectionVsBare.toFixed(3)}× | ≥ 0.97× |`,
    `| hello world keep-alive: with health + request metrics ÷ bare | ${summary.metricsKeepAliveVsBare.toFixed(3)}× | ≥ 0.95× |`,
    '',
    `handler cost on a path that is not its own: ${passThroughNs.toFixed(1)} ns per request (direct call)`,
    `request metrics cost: ${instrumentedNs.toFixed(1)} ns per request (events emitted directly, instrumented − bare)`,
  ];
  console.log(lines.join('\n'));

  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}health.json`,
    JSON.stringify({ started, node: process.version, slices: SLICES, sliceMs: SLICE_MS, concurrency: CONCURRENCY, rows, summary }, null, 2),
  );
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();
