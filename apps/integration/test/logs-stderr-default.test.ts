import { expect, it } from 'vitest';
import { freePort, request } from './helpers/http.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it("svc logs shows stdout and stderr together by default: a Python http.server's access log, which it writes to stderr, is there", async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: { command: 'python3', args: ['-u', '-m', 'http.server', String(port), '--bind', '127.0.0.1'], readiness: { type: 'tcp', port } } } });
  await sb.ok(['start', 'web']);
  expect((await request(`http://127.0.0.1:${port}/`)).status).toBe(200);

  const access = /^err \| 127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 -$/m;
  const shown = await waitUntil('the access log line in svc logs web', async () => {
    const { stdout } = await sb.ok(['logs', 'web']);
    return access.test(stdout) ? stdout : undefined;
  });
  // Its stdout line first, then the access log line, marked as stderr.
  expect(shown.split('\n').slice(0, -1)).toEqual([`Serving HTTP on 127.0.0.1 port ${port} (http://127.0.0.1:${port}/) ...`, expect.stringMatching(access)]);
  // Without a name too, after the service's name; --stdout alone leaves it out.
  expect((await sb.ok(['logs'])).stdout).toMatch(/^web err \| 127\.0\.0\.1 - - .*"GET \/ HTTP\/1\.1" 200 -$/m);
  expect((await sb.ok(['logs', 'web', '--stdout'])).stdout).not.toContain('GET /');
  await sb.ok(['stop', 'web']);
});
