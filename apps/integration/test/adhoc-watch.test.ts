import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

it('svc start app.js --watch (PM2 habit): the ad-hoc service restarts when a file of its directory changes; --watch with a config service is bad usage', async () => {
  const sb = createSandbox();
  sb.writeFile('app.js', 'setInterval(() => {}, 1 << 30);\n');
  const started = await sb.ok(['start', 'app.js', '--watch']);
  expect(started.stdout).toMatch(/^app is running \(pid \d+\)$/m);
  const { lines } = JSON.parse((await sb.ok(['logs', 'app', '--events', '-n', '100', '--json'])).stdout) as { lines: string[] };
  await waitUntil('the watch to be ready', async () => {
    const events = JSON.parse((await sb.ok(['logs', 'app', '--events', '-n', '100', '--json'])).stdout) as { lines: string[] };
    return events.lines.some((l) => l.includes('"watching"'));
  });
  expect(lines.length).toBeGreaterThan(0);
  const first = (await sb.item('app'))!.pid;
  writeFileSync(path.join(sb.dir, 'app.js'), 'setInterval(() => {}, 1 << 30); // v2\n');
  await waitUntil('the restart after the change', async () => {
    const item = await sb.item('app');
    return item?.state === 'running' && item.pid !== first ? item : null;
  });

  sb.writeConfig({ services: { api: { command: process.execPath, args: ['app.js'] } } });
  const misuse = await sb.svc(['start', 'api', '--watch']);
  expect(misuse.code).toBe(2);
  expect(misuse.stderr).toMatch(/--watch is for an ad-hoc service/);
  await sb.ok(['stop', 'app']);
});
