#!/usr/bin/env node
import module from 'node:module';

// Node's on-disk cache of compiled code (Node ≥ 22.1): later runs load their modules faster.
module.enableCompileCache?.();
const argv = process.argv.slice(2);

// `svc status [name] [--json]` is asked often (prompts, scripts): it skips loading oclif.
if (argv[0] === 'status' && argv.length <= 3 && argv.slice(1).every((a) => a === '--json' || /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(a)) && argv.filter((a) => !a.startsWith('-')).length <= 2) {
  const { fastStatus } = await import('../dist/fast-status.js');
  await fastStatus(argv.slice(1));
} else {
  // `svc start <name> [--json]` for a service of the config found from here: start it without
  // loading oclif (dist/prestart.js); anything it does not expect goes on to the command.
  const words = argv.slice(1).filter((a) => a !== '--json');
  let handled = false;
  if (argv[0] === 'start' && words.length === 1 && argv.length <= 3 && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(words[0])) {
    const { prestart } = await import('../dist/prestart.js');
    // Best effort: on any surprise the command does the whole job itself and reports what it finds.
    handled = (await prestart(words[0], { json: argv.includes('--json') }).catch(() => 'continue')) === 'handled';
  }
  if (!handled) await runCommand();
}

async function runCommand() {
  const { flush, handle, run } = await import('@oclif/core');
  try {
    await run(argv, import.meta.url);
    await flush();
  } catch (error) {
    // An unknown command is bad usage (exit 2), like an unknown flag; oclif reports it as a plain error.
    if (error instanceof Error && /^command .* not found$/.test(error.message) && error.oclif) error.oclif.exit = 2;
    await handle(error instanceof Error ? error : new Error(String(error)));
  }
}
