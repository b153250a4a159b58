#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import module from 'node:module';

const argv = process.argv.slice(2);
/** `--json` among svc's own words (not in a command after `--`). */
const jsonAsked = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).includes('--json');
// Before anything else loads: on an older Node, one line saying what to do (not oclif's warnings
// and whatever breaks later). The floor is package.json's "engines" (">=22").
const NODE_FLOOR = Number(/\d+/.exec(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node)[0]);
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < NODE_FLOOR) {
  const message = `svc needs Node ≥ ${NODE_FLOOR}, this is ${process.versions.node} (${process.execPath})`;
  const hint = `install Node ${NODE_FLOOR} or newer (nodejs.org, \`nvm install ${NODE_FLOOR}\`, \`fnm install ${NODE_FLOOR}\` or your distribution's package) and run svc with it`;
  if (jsonAsked) process.stdout.write(`${JSON.stringify({ error: { code: 'ENODE_VERSION', message, hint } }, null, 2)}\n`);
  else process.stderr.write(`Error: ${message}\n${hint}\n`);
  process.exit(1);
}

// `svc … | head`: a reader that stops early is not an error (nor a pending top-level await).
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// Node's on-disk cache of compiled code (Node ≥ 22.1): later runs load their modules faster.
module.enableCompileCache?.();

// `svc status [name] [--json]` (or PM2's `ls`, `list`, `ps`) is asked often (prompts, scripts): it skips loading oclif.
if (['status', 'ls', 'list', 'ps'].includes(argv[0]) && argv.length <= 3 && argv.slice(1).every((a) => a === '--json' || /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(a)) && argv.filter((a) => !a.startsWith('-')).length <= 2) {
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
    // An unknown command is bad usage (exit 2), like an unknown flag: said as every usage error is
    // (dist/usage.js), with the svc way for a PM2 command svc does not have.
    const unknown = error instanceof Error && error.oclif ? /^command (.*) not found$/.exec(error.message) : null;
    if (unknown) {
      const { unknownCommand } = await import('../dist/usage.js');
      const out = unknownCommand(unknown[1], jsonAsked);
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.exitCode;
      return;
    }
    await handle(error instanceof Error ? error : new Error(String(error)));
  }
}
