import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CliError } from '../../errors.js';
import { ECOSYSTEM_FORMS, ecosystemKind } from '../../import/ecosystem-kind.js';
import { CODE_HEAP_MB, DEFAULT_CODE_TIMEOUT_MS, MAX_APPS, MAX_FILE_BYTES, MAX_RESULT_BYTES } from '../../import/import-limits.js';
import type { ImportResult } from '../../import/import-pm2.js';

const MiB = (bytes: number) => `${bytes / 1024 / 1024} MiB`;

type ImportOutput = ImportResult & { written: boolean; yaml?: string };

export default class ImportPm2 extends BaseCommand {
  static override summary = 'Write svc.config.yaml from a PM2 ecosystem file, and report every key that did not map and why.';
  static override description = [
    `Reads a PM2 ecosystem file (${ECOSYSTEM_FORMS}) and writes svc.config.yaml beside it (--config names another file to`,
    'write), never over an existing one without --force. Maps script, interpreter, node_args and args to command and args, cwd, env',
    '(--env <name> merges env_<name> over it, as pm2 start --env does), instances and exec_mode cluster to instances and listen (the',
    "app must then serve on fd 3), wait_ready to readiness notify (the app sends { svc: 'ready' }), listen_timeout, min_uptime,",
    'autorestart, restart_delay, exp_backoff_restart_delay, max_restarts, stop_exit_codes, kill_timeout and max_memory_restart, and',
    "writes stop.signal SIGINT, PM2's stop signal. Every other key (watch, cron_restart, out_file, deploy, …) is listed with why it",
    'did not map; so is every value that is not data (a function). A renamed or deduplicated service name is said.',
    '',
    'A JavaScript ecosystem file is code: svc says so on stderr, then runs it in a child Node (not its own process), as you, with',
    `its directory as working directory, a ${CODE_HEAP_MB} MB heap, --timeout (default ${DEFAULT_CODE_TIMEOUT_MS} ms) and at most ${MiB(MAX_RESULT_BYTES)} of data`,
    `back; whatever it starts is ended with it. A file over ${MiB(MAX_FILE_BYTES)} or with over ${MAX_APPS} apps is refused, and a file that throws`,
    'writes nothing (EIMPORT_READ). A .json file is read as JSON, never run. The written file passes svc config validate.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> import pm2 ecosystem.config.js',
    '<%= config.bin %> import pm2 ecosystem.config.js --dry-run',
    '<%= config.bin %> import pm2 ecosystem.json --env production --config svc.production.yaml',
    '<%= config.bin %> import pm2 ecosystem.config.cjs --force --json',
  ];
  static override args = { file: Args.string({ required: true, description: `the PM2 ecosystem file (${ECOSYSTEM_FORMS})` }) };
  static override flags = {
    force: Flags.boolean({ description: 'overwrite the config file if it exists' }),
    'dry-run': Flags.boolean({ description: 'print the config (and the report, on stderr) instead of writing it' }),
    env: Flags.string({ description: "merge each app's env_<name> over its env, as pm2 start --env <name> does (default: none, env alone)", helpValue: 'NAME' }),
    timeout: Flags.integer({ description: 'ms a JavaScript ecosystem file may run before it is stopped', default: DEFAULT_CODE_TIMEOUT_MS, min: 1, max: 2 ** 31 - 1 }),
  };

  async run(): Promise<ImportOutput> {
    const { args, flags } = await this.parse(ImportPm2);
    const file = path.resolve(args.file);
    if (ecosystemKind(file) === null) throw new CliError('EUSAGE', `${args.file} is not an ecosystem file svc can read: expected ${ECOSYSTEM_FORMS}`);
    const output = path.resolve(flags.config ?? path.join(path.dirname(file), 'svc.config.yaml'));
    if (!/\.ya?ml$/i.test(output)) throw new CliError('EUSAGE', `--config ${flags.config}: svc import writes YAML: name a .yaml or .yml file`);
    const dryRun = flags['dry-run'];
    // Loaded on demand: the parsers and the mapping are for this command only.
    const [{ importPm2 }, { configYaml }, { importReport }, { checkTarget, writeConfigFile }] = await Promise.all([
      import('../../import/import-pm2.js'),
      import('../../import/config-yaml.js'),
      import('../../import/import-report.js'),
      import('../../import/write-config.js'),
    ]);
    // Before anything is read or run: nothing to do when it could not be written.
    if (!dryRun) checkTarget(output, flags.force);
    const result = await importPm2({
      file,
      output,
      profile: flags.env ?? null,
      timeoutMs: flags.timeout,
      beforeRun: (code) => this.logToStderr(`svc import: ${code} is JavaScript: running it to read its apps (in a child node process, as you, as pm2 start would)`),
    });
    const yaml = configYaml(result);
    if (!dryRun) writeConfigFile(output, yaml, { force: flags.force, modeFrom: file });
    if (!this.jsonEnabled()) {
      const report = importReport(result, { written: !dryRun });
      if (dryRun) {
        this.log(yaml.trimEnd());
        for (const line of report) this.logToStderr(line);
      } else {
        for (const line of report) this.log(line);
      }
    }
    return { ...result, written: !dryRun, ...(dryRun ? { yaml } : {}) };
  }
}
