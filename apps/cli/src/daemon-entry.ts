import type { DaemonSpec } from './daemon-main.js';
import { runDaemon } from './daemon-main.js';

/**
 * The process `svc start` spawns: a daemon for the spec in argv[2] (JSON), started without the
 * command framework so that a cold `svc start` pays for it once, not twice. Its output goes to
 * the daemon's log file.
 */
export async function main(argv: string[]): Promise<void> {
  const spec = JSON.parse(argv[0] ?? 'null') as DaemonSpec | null;
  if (!spec || (spec.kind !== 'config' && spec.kind !== 'adhoc')) {
    process.stderr.write('usage: daemon.js <daemon spec JSON> (started by svc start)\n');
    process.exitCode = 2;
    return;
  }
  try {
    const outcome = await runDaemon(spec, (id, socket) => process.stdout.write(`svc daemon ${id} (pid ${process.pid}) serving ${socket}\n`));
    process.stdout.write(`svc daemon ${outcome.id} exiting: ${JSON.stringify(outcome.services)}\n`);
    if (Object.values(outcome.services).includes('failed')) process.exitCode = 1;
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stderr.write(`svc daemon failed: ${e.code ? `${e.code} ` : ''}${e.message}\n`);
    process.exitCode = 1;
  }
}
