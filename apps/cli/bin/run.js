#!/usr/bin/env node
const argv = process.argv.slice(2);

// `svc status [name] [--json]` is asked often (prompts, scripts): it skips loading oclif.
if (argv[0] === 'status' && argv.length <= 3 && argv.slice(1).every((a) => a === '--json' || /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(a)) && argv.filter((a) => !a.startsWith('-')).length <= 2) {
  const { fastStatus } = await import('../dist/fast-status.js');
  await fastStatus(argv.slice(1));
} else {
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
