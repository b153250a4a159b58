// The @svc/lock demo: a second copy of a server is refused with a friendly message naming the
// first; after the first is SIGKILLed, the next start takes the lock at once.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const home = mkdtempSync(path.join(tmpdir(), 'svc-demo-'));
const server = path.join(import.meta.dirname, 'lock-demo-server.mjs');
const env = { ...process.env, SVC_HOME: home };

function start(label) {
  const child = spawn(process.execPath, [server], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const errors = createInterface({ input: child.stderr });
  const first = new Promise((resolve) => {
    lines.once('line', (line) => resolve({ ok: true, line }));
    errors.once('line', (line) => resolve({ ok: false, line }));
  });
  return { child, first, label };
}

const step = (text) => console.log(`\n\u2192 ${text}`);
try {
  step('start the server');
  const a = start('first');
  console.log(`  ${(await a.first).line}`);

  step('start it again while it runs');
  const b = start('second');
  const refused = await b.first;
  console.log(`  ${refused.line}`);
  await new Promise((resolve) => b.child.once('exit', resolve));

  step(`kill -9 the first (pid ${a.child.pid}), then start again at once`);
  const t0 = performance.now();
  a.child.kill('SIGKILL');
  await new Promise((resolve) => a.child.once('exit', resolve));
  const c = start('third');
  const again = await c.first;
  console.log(`  ${again.line}  (${Math.round(performance.now() - t0)} ms after the kill, no stale window)`);
  c.child.kill('SIGTERM');
  await new Promise((resolve) => c.child.once('exit', resolve));
  console.log('\nDone.');
} finally {
  rmSync(home, { recursive: true, force: true });
}
