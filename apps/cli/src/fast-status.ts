import { errorJson, errorLines } from './error-output.js';
import { useColour } from './output.js';
import { collectStatus, formatStatus } from './status-report.js';

/**
 * `svc status [name] [--json]` without loading oclif: the same result and output as the command,
 * for shell prompts and scripts that call it often. bin/run.js takes this path only for exactly
 * those arguments; anything else (--help, --config, other flags) goes through oclif.
 */
export async function fastStatus(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const name = args.find((a) => !a.startsWith('-'));
  try {
    const { items, warnings } = await collectStatus(name);
    if (!json) for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
    process.stdout.write(`${json ? JSON.stringify(items, null, 2) : formatStatus(items, useColour())}\n`);
  } catch (error) {
    if (json) process.stdout.write(`${JSON.stringify(errorJson(error as Error), null, 2)}\n`);
    else process.stderr.write(errorLines(error as Error).map((l) => `${l}\n`).join(''));
    process.exitCode = 1;
  }
}
