// How close to stop.timeout a SIGTERM-ignoring service is SIGKILLed (the supervisor's promise:
// at the timeout ±10 %), and how long the whole stop takes. A measurement, not a test: timers
// on a loaded machine fire late, which is what this shows.
// Usage: node bench/stop-timeout.bench.mjs [--rounds 10] [--timeout 1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Supervisor } from '@svc/supervisor';
import { median, percentile, writeResults } from './lib/report.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, timeout: { type: 'string', default: '1000' } } });
const ROUNDS = Number(values.rounds);
const TIMEOUT = Number(values.timeout);
const dir = mkdtempSync(path.join(tmpdir(), 'svc-stop-bench-'));
const killAfter = [];
const stopTook = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const sup = new Supervisor({
      name: 'ignorer',
      command: process.execPath,
      args: [path.join(import.meta.dirname, 'fixtures/stop-ignore-term.mjs')],
      logDir: path.join(dir, String(round)),
      readiness: { type: 'notify' },
      stop: { timeout: TIMEOUT },
    });
    let killed = null;
    sup.on('event', (e) => {
      if (e.type === 'killed') killed = e;
    });
    await sup.start();
    const t0 = performance.now();
    await sup.stop();
    stopTook.push(performance.now() - t0);
    if (!killed) throw new Error('the service was not SIGKILLed');
    killAfter.push(killed.afterMs);
    await sup.close();
  }
  const pct = (v) => `${((v / TIMEOUT - 1) * 100).toFixed(1)} %`;
  console.log(`stop.timeout ${TIMEOUT} ms, ${ROUNDS} rounds, node ${process.version}\n`);
  console.log('| measure | median | p90 | max | max vs timeout |\n| --- | ---: | ---: | ---: | ---: |');
  console.log(`| stop request → SIGKILL sent | ${median(killAfter).toFixed(0)} ms | ${percentile(killAfter, 90).toFixed(0)} ms | ${Math.max(...killAfter).toFixed(0)} ms | ${pct(Math.max(...killAfter))} |`);
  console.log(`| stop request → stop() resolved | ${median(stopTook).toFixed(0)} ms | ${percentile(stopTook, 90).toFixed(0)} ms | ${Math.max(...stopTook).toFixed(0)} ms | ${pct(Math.max(...stopTook))} |`);
  writeResults('stop-timeout', { timeoutMs: TIMEOUT, killAfter, stopTook });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
