// Resets at stop, for clients that open a new connection per request (Connection: close) and
// reconnect at once: 50 such clients against a server whose handler does `busyMs` of synchronous
// work, SIGTERM after 500 requests; each client ends at its first refused connection. Counts what
// every client request became: 200, 503, ECONNREFUSED (safe: never processed), ECONNRESET (the
// client cannot tell whether its request ran). @svc/drain against a naive server.close().
//
//   node bench/drain-resets.bench.mjs      (after `pnpm build`)   RUNS=3 BUSY=0,5,20
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./fixtures/drain-busy-server.mjs', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 3);
const BUSY = (process.env.BUSY ?? '0,5,20').split(',').map(Number);
const CLIENTS = 50;

const once = (port) =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (error) => resolve(error.code ?? error.message));
  });

async function round(tool, busyMs) {
  const child = spawn(process.execPath, [SERVER, tool, String(busyMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  const counts = {};
  let total = 0;
  const clients = Array.from({ length: CLIENTS }, async () => {
    for (;;) {
      const outcome = await once(port);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      total++;
      if (outcome === 'ECONNREFUSED') return;
    }
  });
  while (total < 500) await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGTERM');
  await Promise.all(clients);
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  return { counts, server: JSON.parse(stderr.trim().split('\n').pop() || '{}') };
}

console.log(`node ${process.version}, ${CLIENTS} clients, a new connection per request, SIGTERM after 500 requests, ${RUNS} runs each\n`);
console.log('| server | handler | resets per run (ECONNRESET) | refused per run | 503 per run | answered 200 per run |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const busyMs of BUSY) {
  for (const tool of ['svc-drain', 'naive']) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await round(tool, busyMs));
    const list = (key) => runs.map((r) => r.counts[key] ?? 0).join(', ');
    console.log(`| ${tool} | ${busyMs === 0 ? 'no work' : `${busyMs} ms synchronous`} | ${list('ECONNRESET')} | ${list('ECONNREFUSED')} | ${list('503')} | ${list('200')} |`);
  }
}
