// @svc/drain against http-terminator, @godaddy/terminus, stoppable and a naive server.close(),
// in the same run: what each loses when SIGTERM lands under load, how each turns new connections
// away, and how long each takes to exit. Then the cost of having drain (and health) installed on
// a hello-world server. Every request is counted by our own node:http client (autocannon does not
// count requests lost on a keep-alive connection the server closes), cross-checked against the
// server's own list of handlers started and finished.
//
//   node bench/drain.bench.mjs            (after `pnpm build` in packages/drain and packages/health)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { median, writeResults } from './lib/report.mjs';

const SERVER = fileURLToPath(new URL('./fixtures/drain-server.mjs', import.meta.url));
const TOOLS = (process.env.DRAIN_BENCH_TOOLS ?? 'svc-drain,http-terminator,terminus,stoppable,naive').split(',');
const RUNS = Number(process.env.DRAIN_BENCH_RUNS ?? 3);
const CONNECTIONS = 50;
const THROUGHPUT_MS = Number(process.env.DRAIN_BENCH_THROUGHPUT_MS ?? 3_000);

function startServer(tool) {
  const child = spawn(process.execPath, [SERVER, tool], { stdio: ['ignore', 'pipe', 'inherit'] });
  const events = [];
  let buffer = '';
  const waiters = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      events.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const waitFor = async (predicate) => {
    for (;;) {
      const found = events.find(predicate);
      if (found) return found;
      await new Promise((resolve) => waiters.push(resolve));
    }
  };
  return { child, events, exited, waitFor };
}

function request(port, path, agent) {
  return new Promise((resolve) => {
    const sentAt = Date.now();
    let connected = false;
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ ok: res.statusCode === 200 && body.startsWith('ok:'), sentAt, endedAt: Date.now(), reused: req.reusedSocket, connected: true }));
      res.on('error', (e) => resolve({ ok: false, code: e.code, sentAt, endedAt: Date.now(), reused: req.reusedSocket, connected: true }));
    });
    req.on('socket', (socket) => {
      if (req.reusedSocket) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (e) => resolve({ ok: false, code: e.code, sentAt, endedAt: Date.now(), reused: req.reusedSocket, connected }));
  });
}

async function drainRun(tool) {
  const server = startServer(tool);
  const { port } = await server.waitFor((e) => e.event === 'ready');
  const records = [];
  let stop = false;
  let completed = 0;
  const users = Array.from({ length: CONNECTIONS }, async (_, user) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = 0; !stop; n++) {
      const id = `u${user}-${n}`;
      const r = await request(port, `/work?id=${id}&ms=${Math.floor(Math.random() * 501)}`, agent);
      records.push({ id, ...r });
      if (r.ok) completed++;
      if (r.code === 'ECONNREFUSED') break;
    }
    agent.destroy();
  });
  while (completed < 300) await new Promise((r) => setTimeout(r, 20));
  const signalAt = Date.now();
  server.child.kill('SIGTERM');
  // New connections after the signal, one every 20 ms, until the process is gone.
  const probes = [];
  let exited = false;
  void server.exited.then(() => (exited = true));
  // A tool that never lets the process exit is killed 15 s after the signal (its timeouts are 10 s).
  const killer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  for (let i = 0; !exited; i++) {
    probes.push(request(port, `/probe?id=p${i}&ms=0`, false));
    await new Promise((r) => setTimeout(r, 20));
  }
  const exit = await server.exited;
  clearTimeout(killer);
  stop = true;
  await Promise.all(users);
  const probeResults = await Promise.all(probes);
  const report = server.events.find((e) => e.event === 'report');
  const started = new Set(report?.started ?? []);
  const finished = new Set(report?.finished ?? []);
  const failed = records.filter((r) => !r.ok);
  const inFlight = records.filter((r) => r.sentAt < signalAt && r.endedAt >= signalAt && started.has(r.id));
  const slowestMs = Math.max(0, ...inFlight.filter((r) => r.ok).map((r) => r.endedAt - signalAt));
  const newConn = [...probeResults, ...failed.filter((r) => !r.reused && !started.has(r.id))];
  return {
    requests: records.length,
    droppedInFlight: failed.filter((r) => started.has(r.id)).length,
    droppedKeepAlive: failed.filter((r) => r.reused && !started.has(r.id)).length,
    serverUnfinished: [...started].filter((id) => !finished.has(id) && !id.startsWith('p')).length,
    newAnswered: probeResults.filter((r) => r.ok).length,
    newRefused: newConn.filter((r) => r.code === 'ECONNREFUSED').length,
    newReset: newConn.filter((r) => !r.ok && r.code !== 'ECONNREFUSED' && r.connected).length,
    exitMs: exit.at - signalAt,
    slowestInFlightMs: slowestMs,
    exitCode: exit.code,
    killed: exit.signal === 'SIGKILL',
    reported: report !== undefined,
  };
}

async function throughput(tool, keepAlive) {
  const server = startServer(tool);
  const { port } = await server.waitFor((e) => e.event === 'ready');
  const concurrency = 32;
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: concurrency }) : false;
  let count = 0;
  let errors = 0;
  const until = Date.now() + THROUGHPUT_MS;
  const hello = () =>
    new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        })
        .on('error', () => resolve(false));
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        if (await hello()) count++;
        else errors++;
      }
    }),
  );
  if (agent) agent.destroy();
  server.child.kill('SIGKILL');
  await server.exited;
  return { rps: count / (THROUGHPUT_MS / 1000), errors };
}

const drainResults = Object.fromEntries(TOOLS.map((t) => [t, []]));
for (let run = 0; run < RUNS; run++) {
  for (const tool of TOOLS) {
    process.stderr.write(`drain run ${run + 1}/${RUNS}: ${tool}\n`);
    drainResults[tool].push(await drainRun(tool));
  }
}

const variants = ['hello-bare', 'hello-drain', 'hello-health-drain'];
const tp = { keepAlive: Object.fromEntries(variants.map((v) => [v, []])), perRequest: Object.fromEntries(variants.map((v) => [v, []])) };
for (let round = 0; round < 3; round++) {
  for (const mode of ['keepAlive', 'perRequest']) {
    for (const v of variants) tp[mode][v].push(await throughput(v, mode === 'keepAlive'));
  }
}

const sum = (list, key) => list.reduce((n, r) => n + r[key], 0);
const lines = [];
lines.push(`### Drain under load (${CONNECTIONS} keep-alive connections, handlers 0–500 ms, SIGTERM after 300 responses; totals over ${RUNS} runs)`, '');
lines.push('| tool | requests | dropped in flight | dropped on keep-alive | new conns answered | refused | accepted then reset | exit ms (median) | slowest in-flight ms (median) | exit / slowest |');
lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const tool of TOOLS) {
  const list = drainResults[tool];
  const exitMs = median(list.map((r) => r.exitMs));
  const slowest = median(list.map((r) => r.slowestInFlightMs));
  const killed = list.filter((r) => r.killed).length;
  const slowestText = list.every((r) => r.reported) ? String(slowest) : '— (no report: killed)';
  const ratio = list.every((r) => r.reported) ? (exitMs / slowest).toFixed(2) : '—';
  const exitText = killed > 0 ? `${exitMs} (${killed}/${list.length} never exited, killed at 15 s)` : String(exitMs);
  lines.push(
    `| ${tool} | ${sum(list, 'requests')} | ${sum(list, 'droppedInFlight')} | ${sum(list, 'droppedKeepAlive')} | ${sum(list, 'newAnswered')} | ${sum(list, 'newRefused')} | ${sum(list, 'newReset')} | ${exitText} | ${slowestText} | ${ratio} |`,
  );
}
lines.push('', '### Hello-world throughput (32 concurrent clients, median of 3 × ' + THROUGHPUT_MS / 1000 + ' s)', '');
lines.push('| variant | keep-alive req/s | × bare | connection-per-request req/s | × bare |');
lines.push('| --- | ---: | ---: | ---: | ---: |');
const med = (mode, v) => median(tp[mode][v].map((r) => r.rps));
for (const v of variants) {
  lines.push(
    `| ${v.replace('hello-', '')} | ${med('keepAlive', v).toFixed(0)} | ${(med('keepAlive', v) / med('keepAlive', 'hello-bare')).toFixed(3)} | ${med('perRequest', v).toFixed(0)} | ${(med('perRequest', v) / med('perRequest', 'hello-bare')).toFixed(3)} |`,
  );
}
console.log(lines.join('\n'));
const file = writeResults('drain', { drain: drainResults, throughput: tp });
console.log(`\nJSON: ${file}`);
