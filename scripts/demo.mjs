// The svc demo: the example server under svc — start, status, health, a crash and its restart,
// logs, stop. Everything runs in a temp SVC_HOME and is removed at the end.
import { spawnSync } from 'node:child_process';
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

writeFileSync(
  path.join(work, 'svc.config.yaml'),
  `services:
  api:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(server)}]
    env: { PORT: ${port}, VERSION: demo-1, SVC_EXAMPLE_TEST_ROUTES: "1" }
    readiness: { type: notify, timeout: 20s }
    liveness: { heartbeatTimeout: 5s }
    restart: { delay: 200ms }
    stop: { timeout: 5s }
`,
);

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
  svc('stop', 'api');
  svc('status');
} finally {
  spawnSync(process.execPath, [svcBin, 'stop', '--all'], { cwd: work, env, stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}
