import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

// A cluster-mode app changed as the import's report says: it serves on fd 3 and sends { svc: 'ready' }.
const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end(JSON.stringify({ pid: process.pid })));
server.listen({ fd: 3 }, () => process.send({ svc: 'ready' }));
process.on('SIGINT', () => server.close(() => process.exit(0)));
`;

it('svc import pm2 of a cluster-mode app with wait_ready: two instances on one socket, each ready when it says so', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeFile('package.json', '{ "private": true }\n');
  sb.writeFile('server.js', SERVER);
  sb.writeFile(
    'ecosystem.config.js',
    `module.exports = { apps: [{ name: 'web', script: 'server.js', instances: 2, exec_mode: 'cluster', port: ${port}, wait_ready: true, listen_timeout: 20000 }] };\n`,
  );

  const imported = await sb.ok(['import', 'pm2', 'ecosystem.config.js', '--json']);
  const report = JSON.parse(imported.stdout) as { services: Array<{ notes: string[] }>; config: { services: { web: Record<string, unknown> } } };
  expect(report.config.services.web).toMatchObject({ instances: 2, listen: { port, host: '0.0.0.0' }, readiness: { type: 'notify', timeout: '20s' } });
  expect(report.services[0]!.notes.join('\n')).toMatch(/must serve on fd 3/);

  await sb.ok(['start', 'web']);
  const item = await sb.item('web');
  expect(item).toMatchObject({ state: 'running' });
  expect(item!.instances.map((i) => i.state)).toEqual(['running', 'running']);
  const pids = item!.instances.map((i) => i.pid);
  // The socket svc bound answers, from one of the two instances.
  const answer = await waitUntil('the shared port to answer', () => whoAnswers(port));
  expect(pids).toContain(answer.pid);

  await sb.ok(['stop', 'web']);
  expect(await whoAnswers(port)).toBeNull();
});
