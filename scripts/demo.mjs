// The svc demo: the example server under svc — two instances on a socket svc holds — start,
// status, health, a crash and its restart, logs, a zero-downtime reload under requests, stop.
// Everything runs in a temp SVC_HOME and is removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const svcBin = path.join(root, 'apps/cli/bin/run.js');
const server = path.join(root, 'apps/example-server/dist/index.js');
const work = mkdtempSync(path.join(tmpdir(), 'svc-demo-'));
const env = { ...process.env, SVC_HOME: path.join(work, 'home') };

const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

const writeConfig = (version) =>
  writeFileSync(
    path.join(work, 'svc.config.yaml'),
    `services:
  api:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(server)}]
    env: { VERSION: ${version}, SVC_EXAMPLE_TEST_ROUTES: "1" }
    listen: { port: ${port}, host: 127.0.0.1 }
    instances: 2
    readiness: { type: notify, timeout: 20s }
    liveness: { heartbeatTimeout: 5s }
    restart: { delay: 200ms }
    stop: { timeout: 5s }
`,
  );
writeConfig('demo-1');

function svc(...args) {
  console.log(`\n$ svc ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [svcBin, ...args], { cwd: work, env, stdio: 'inherit' });
  return result.status;
}

async function get(pathname, method = 'GET') {
  console.log(`\n$ curl -X ${method} http://127.0.0.1:${port}${pathname}`);
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`, { method });
  console.log(`${response.status} ${await response.text()}`);
}

async function until(check) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the demo waited too long');
}

const statusOf = () => JSON.parse(spawnSync(process.execPath, [svcBin, 'status', 'api', '--json'], { cwd: work, env, encoding: 'utf8' }).stdout)[0];

try {
  if (svc('start', 'api') !== 0) throw new Error('svc start failed');
  svc('status');
  await get('/health');
  const before = statusOf();
  await get('/crash', 'POST').catch((error) => console.log(`(the server went down: ${error.cause?.code ?? error.message})`));
  await until(() => {
    const now = statusOf();
    return now?.state === 'running' && now.restarts > before.restarts;
  });
  console.log('\nthe supervisor restarted it:');
  svc('status');
  svc('logs', 'api', '--events', '-n', '4');

  // A new version, replaced instance by instance while 10 clients keep sending requests.
  writeConfig('demo-2');
  console.log('\nthe config now says VERSION demo-2; 10 clients send requests during the reload:');
  let sending = true;
  const counts = { answered: 0, failed: 0, versions: new Set() };
  const client = async () => {
    while (sending) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        const body = await response.json();
        if (response.ok) counts.answered++;
        else counts.failed++;
        counts.versions.add(body.version);
      } catch {
        // A request that did not get an answer: what a reload must not cause, counted.
        counts.failed++;
      }
    }
  };
  const clients = Array.from({ length: 10 }, () => client());
  // Not svc(): spawnSync would stop this process's clients for as long as the reload runs.
  console.log('\n$ svc reload api');
  const reload = spawn(process.execPath, [svcBin, 'reload', 'api'], { cwd: work, env, stdio: 'inherit' });
  const reloaded = await new Promise((resolve) => reload.once('close', resolve));
  sending = false;
  if (reloaded !== 0) throw new Error('svc reload failed');
  await Promise.all(clients);
  console.log(`${counts.answered} requests answered during the reload, ${counts.failed} failed; versions seen: ${[...counts.versions].join(', ')}`);
  await get('/');
  svc('status');
  svc('stop', 'api');
  svc('status');
} finally {
  spawnSync(process.execPath, [svcBin, 'stop', '--all'], { cwd: work, env, stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}
