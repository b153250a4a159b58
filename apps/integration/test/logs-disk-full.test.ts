import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

// A real full disk: a 256 KB tmpfs mounted where the ad-hoc services' logs go (mounting needs
// root, as CI runs).
const canMount = process.platform === 'linux' && process.getuid?.() === 0;

it.runIf(canMount)('log lines the disk refused are counted and shown by svc status; the service and svc keep working', async () => {
  const sb = createSandbox();
  const logs = path.join(sb.home, 'state', 'logs', 'adhoc');
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', logs]);
  try {
    // 20000 lines of 100 bytes (2 MB) into 256 KB.
    const script = 'let n = 0; const t = setInterval(() => { for (let i = 0; i < 500 && n < 20000; i++) console.log("line " + ++n + " " + "x".repeat(90)); if (n >= 20000) clearInterval(t); }, 5); setInterval(() => {}, 1 << 30)';
    await sb.ok(['start', 'flood', '--', process.execPath, '-e', script]);
    await waitUntil('lines to be dropped', async () => ((await sb.item('flood'))?.droppedLogLines ?? 0) > 0, { timeoutMs: 60_000 });
    expect(await sb.item('flood')).toMatchObject({ state: 'running' });
    const table = await sb.ok(['status']);
    expect(table.stdout).toMatch(/^flood: \d+ log lines dropped: the disk refused them \(svc logs flood --events says when and why\)$/m);
    expect((await sb.ok(['logs', 'flood', '--events', '-n', '50'])).stdout).toMatch(/"type":"log-error".*"error":"ENOSPC"/);
    await sb.ok(['stop', 'flood']);
  } finally {
    execFileSync('umount', ['-l', logs]);
  }
});
