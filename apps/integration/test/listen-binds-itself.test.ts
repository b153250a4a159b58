import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

// The system's Python, not a version manager's shim (which can take a second to start); a start
// window long enough that even a loaded machine sees the bind fail inside it.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const window = { startWindow: '5s' };

it('a program that binds its own port under listen: svc start fails at once naming listen and fd 3, not "running" over a crash loop', async () => {
  const sb = createSandbox();
  const port = await freePort();
  // A Python server of the usual kind: it binds the port it is told, knowing nothing of fd 3.
  const app = sb.writeFile('app.py', `import http.server, os\nhttp.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()\n`);
  sb.writeConfig({ services: { app: { command: python, args: [app], instances: 2, listen: { port }, env: { PORT: String(port) }, readiness: window } } });

  const started = await sb.svc(['start', 'app']);
  expect(started.code).toBe(1);
  expect(started.stdout).not.toMatch(/is running/);
  expect(started.stderr).toMatch(/Address already in use/);
  expect(started.stderr).toContain(`app binds its own port, but svc already holds port ${port} for the service (listen) and hands it over:`);
  expect(started.stderr).toMatch(/take the socket svc hands over as fd 3 \(LISTEN_FDS=1/);
  expect(started.stderr).toMatch(/or remove listen from app's config/);
  expect(await sb.item('app')).toMatchObject({ state: 'failed' });

  // The same failure without listen is not about listen: no hint.
  const other = await freePort();
  const holder = sb.writeFile('hold.py', `import socket, time\ns = socket.socket(); s.bind(("127.0.0.1", ${other})); s.listen(); time.sleep(60)\n`);
  sb.writeConfig({ services: { app: { command: python, args: [app], env: { PORT: String(other) }, readiness: window }, hold: { command: python, args: [holder], readiness: { startWindow: '100ms' } } } });
  await sb.ok(['stop', 'app']);
  await sb.ok(['start', 'hold']);
  const plain = await sb.svc(['start', 'app']);
  expect(plain.code).toBe(1);
  expect(plain.stderr).toMatch(/Address already in use/);
  expect(plain.stderr).not.toMatch(/listen/);
  await sb.ok(['stop', '--all']);
  await waitUntil('the idle daemon to exit', () => processesOf(sb.home).length === 0, { timeoutMs: 20_000 });
});
