import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

// A PM2 app as PM2 users write it: it stops gracefully on SIGINT, PM2's stop signal.
const TICKER = `
console.log('ticker up: ' + process.env.GREETING);
process.on('SIGINT', () => {
  console.log('ticker got SIGINT');
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
`;

const ECOSYSTEM = `module.exports = {
  apps: [
    {
      name: 'ticker',
      script: 'ticker.js',
      env: { GREETING: 'hello from pm2' },
      min_uptime: 500,
      max_restarts: 5,
      kill_timeout: 3000,
      watch: true,
    },
  ],
};
`;

it('svc import pm2 of a fork-mode app, then svc start runs it as its ecosystem file said and svc stop stops it with SIGINT', async () => {
  const sb = createSandbox();
  sb.writeFile('package.json', '{ "private": true }\n');
  sb.writeFile('ticker.js', TICKER);
  sb.writeFile('ecosystem.config.js', ECOSYSTEM);

  const imported = await sb.ok(['import', 'pm2', 'ecosystem.config.js']);
  expect(imported.stdout).toMatch(/^wrote .*svc\.config\.yaml: 1 service from ecosystem\.config\.js$/m);
  // watch: true maps onto svc's own watch, and the report says how it differs.
  expect(imported.stdout).toContain('  watch → watch: one restart once the files have been quiet for watch.debounce');
  expect(imported.stdout).not.toContain('not mapped: watch');
  await sb.ok(['config', 'validate']);

  const started = await sb.ok(['start', 'ticker']);
  const pid = Number(/^ticker is running \(pid (\d+)\)$/m.exec(started.stdout)?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(await sb.item('ticker')).toMatchObject({ name: 'ticker', state: 'running', pid, restarts: 0 });
  // Its environment and its working directory are the ecosystem file's.
  await waitUntil('the ticker to print its greeting', async () => (await sb.ok(['logs', 'ticker'])).stdout.includes('ticker up: hello from pm2'));

  const described = JSON.parse((await sb.ok(['describe', 'ticker', '--json'])).stdout) as Array<{ definition: Record<string, unknown> }>;
  expect(described[0]!.definition).toMatchObject({
    command: 'node',
    args: ['ticker.js'],
    cwd: sb.dir,
    readiness: expect.objectContaining({ startWindowMs: 500 }) as unknown,
    restart: expect.objectContaining({ crashLoop: { count: 5, windowMs: 60_000 } }) as unknown,
    stop: { signal: 'SIGINT', timeoutMs: 3000 },
  });

  await sb.ok(['stop', 'ticker']);
  expect(await sb.item('ticker')).toBeUndefined();
  // Stopped the way PM2 stops it: the app's SIGINT handler ran.
  expect((await sb.ok(['logs', 'ticker'])).stdout).toContain('ticker got SIGINT');
});
