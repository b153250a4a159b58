import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '@oclif/core';
import { COMMANDS } from '../src/commands.js';
import { ERROR_CODES } from '../src/errors.js';
import { statusItemSchema } from '../src/status-item.js';
import { unknownCommand } from '../src/usage.js';
import { block, code, prose, table, writeBetween } from './markdown.js';

/*
 * The command reference of docs/cli.md, written from what oclif itself reads: the command classes
 * of src/commands.ts (their summary, description, args, flags — the base command's included, as
 * oclif aggregates them — aliases and examples), the topics and exit codes of package.json's oclif
 * section, the CLI's error codes, and the zod schema of `svc status --json`. Nothing is restated:
 * `pnpm --filter @svc/cli docs:cli` writes it, test/cli-reference.test.ts fails when the page differs.
 */

export const PAGE = 'cli.md';
export const MARKER = 'cli-reference';
export const COMMAND_TO_RUN = 'pnpm --filter @svc/cli docs:cli';

interface OclifSection {
  bin: string;
  topics: Record<string, { description: string }>;
  exitCodes: Record<string, number>;
}

export interface CliSources {
  commands: Record<string, Command.Class>;
  oclif: OclifSection;
  errorCodes: readonly string[];
  /** The exit code of bad usage, as the CLI gives it for a command it does not know. */
  usageExit: number;
  statusItem: ZodLike;
}

/** The sources as this package has them. */
export function cliSources(): CliSources {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { oclif: OclifSection };
  return { commands: COMMANDS, oclif: pkg.oclif, errorCodes: ERROR_CODES, usageExit: unknownCommand('x', false).exitCode, statusItem: statusItemSchema };
}

/** What oclif's parser refuses, by the name of its exit-code setting in package.json. */
const PARSE_FAILURES: Record<string, string> = {
  failedFlagParsing: 'a flag value that does not parse (`-n many`)',
  failedFlagValidation: 'a flag value out of its range',
  invalidArgsSpec: 'arguments that do not fit the command',
  nonExistentFlag: 'an unknown flag',
  violatedFlagConstraint: 'flags that exclude each other',
  requiredArgs: 'a missing argument',
  unexpectedArgs: 'an extra argument',
};

/** A flag as the command class holds it (what oclif's manifest caches, plus an integer's bounds and its parser). */
interface Flag {
  type: 'boolean' | 'option';
  parse?: unknown;
  char?: string;
  description?: string;
  helpGroup?: string;
  default?: unknown;
  options?: readonly string[];
  multiple?: boolean;
  allowNo?: boolean;
  required?: boolean;
  min?: number;
  max?: number;
  helpValue?: string | string[];
  exclusive?: string[];
  dependsOn?: string[];
}
interface Arg {
  parse?: unknown;
  description?: string;
  required?: boolean;
  options?: readonly string[];
}

/** Flags as oclif aggregates them: `--json` (enableJsonFlag), the base command's, the command's own. */
function flagsOf(command: Command.Class): Record<string, Flag> {
  const json = command.enableJsonFlag ? { json: { type: 'boolean', description: 'Format output as json.', helpGroup: 'GLOBAL', allowNo: false } } : {};
  return { ...json, ...command.baseFlags, ...command.flags } as unknown as Record<string, Flag>;
}

/** `integer` when the value's parser makes a number of "1" (oclif's integer flags and args), else `string`. */
async function valueType(parse: unknown): Promise<'integer' | 'string'> {
  if (typeof parse !== 'function') return 'string';
  const value: unknown = await (parse as (input: string, context: unknown, options: unknown) => Promise<unknown>)('1', {}, {});
  return typeof value === 'number' ? 'integer' : 'string';
}

function bin(text: string, name: string): string {
  return text.replaceAll('<%= config.bin %>', name);
}

/** A description as paragraphs: its lines are wrapped text, a blank line starts a new paragraph. */
function paragraphs(text: string, name: string): string[] {
  return bin(text, name)
    .split(/\n\s*\n/)
    .map((p) => prose(p.split('\n').map((l) => l.trim()).join(' ')))
    .filter((p) => p.length > 0);
}

function words(id: string): string {
  return id.replaceAll(':', ' ');
}

async function flagRow(name: string, flag: Flag): Promise<string[]> {
  const t = { inTable: true };
  let type: string;
  const values: string[] = [];
  if (flag.type === 'boolean') {
    type = flag.allowNo ? `boolean (${code(`--no-${name}`, t)} too)` : 'boolean';
  } else {
    type = await valueType(flag.parse);
    if (flag.multiple) type += ', repeatable';
    if (flag.options) values.push(flag.options.map((o) => code(o, t)).join(', '));
    if (flag.min !== undefined || flag.max !== undefined) values.push(`${flag.min ?? '…'}–${flag.max ?? '…'}`);
    const help = Array.isArray(flag.helpValue) ? flag.helpValue.join('|') : flag.helpValue;
    if (help) values.push(code(help, t));
  }
  let fallback: string;
  if (typeof flag.default === 'function') fallback = 'computed';
  else if (flag.default !== undefined) fallback = code(typeof flag.default === 'string' ? flag.default : JSON.stringify(flag.default), t);
  else fallback = flag.type === 'boolean' ? 'off' : '–';
  const description = prose(flag.description ?? '', t);
  const notes = [description && !/[.!?]$/.test(description) ? `${description}.` : description];
  if (flag.required) notes.push('Required.');
  if (flag.exclusive?.length) notes.push(`Not with ${flag.exclusive.map((f) => code(`--${f}`, t)).join(', ')}.`);
  if (flag.dependsOn?.length) notes.push(`Needs ${flag.dependsOn.map((f) => code(`--${f}`, t)).join(', ')}.`);
  return [code(`--${name}`, t), flag.char ? code(`-${flag.char}`, t) : '', type, fallback, values.join(' ') || '–', notes.join(' ')];
}

const FLAG_HEADER = ['flag', 'short', 'type', 'default', 'values', 'description'];

async function flagTable(flags: Array<[string, Flag]>): Promise<string> {
  return table(FLAG_HEADER, await Promise.all(flags.map(([name, flag]) => flagRow(name, flag))));
}

function usage(id: string, command: Command.Class, name: string, hasFlags: boolean): string {
  const args = Object.entries(command.args ?? {}).map(([argName, arg]) => (arg.required ? `<${argName.toUpperCase()}>` : `[${argName.toUpperCase()}]`));
  const parts = [name, words(id), ...args];
  if (hasFlags) parts.push('[FLAGS]');
  if (command.strict === false) parts.push('[-- ARGS…]');
  return parts.join(' ');
}

async function commandSection(id: string, command: Command.Class, sources: CliSources, global: Set<string>): Promise<string> {
  const name = sources.oclif.bin;
  const t = { inTable: true };
  const out: string[] = [`### ${code(`${name} ${words(id)}`)}`];
  if (command.summary) out.push(prose(bin(command.summary, name)));
  if (command.description) out.push(...paragraphs(command.description, name));
  const own = Object.entries(flagsOf(command)).filter(([flagName, flag]) => !(global.has(flagName) && flag.helpGroup === 'GLOBAL'));
  out.push(`Usage: ${code(usage(id, command, name, own.length > 0))}${command.strict === false ? ' (arguments after `--` go to the command it starts; see above)' : ''}`);
  if (command.aliases?.length) out.push(`Aliases: ${command.aliases.map((a) => code(`${name} ${words(a)}`)).join(', ')}`);
  const args = Object.entries(command.args ?? {}) as unknown as Array<[string, Arg]>;
  if (args.length > 0) {
    const rows = await Promise.all(
      args.map(async ([argName, arg]) => [
        code(argName.toUpperCase(), t),
        arg.required ? 'yes' : 'no',
        await valueType(arg.parse),
        arg.options ? arg.options.map((o) => code(o, t)).join(', ') : '–',
        prose(arg.description ?? '', t),
      ]),
    );
    out.push(table(['argument', 'required', 'type', 'values', 'description'], rows));
  }
  out.push(own.length > 0 ? await flagTable(own) : 'Flags: only the global ones.');
  if (id === 'status') out.push(statusJson(sources.statusItem));
  if (command.examples?.length) {
    const examples = command.examples.map((e) => bin(typeof e === 'string' ? e : e.command, name));
    out.push(block('fragment: examples; they need a config, a running daemon or a service manager', 'sh', examples.join('\n')));
  }
  return out.join('\n\n');
}

function exitCodes(sources: CliSources): string {
  const { exitCodes: codes } = sources.oclif;
  const failure = codes.default;
  if (failure === undefined) throw new Error('package.json oclif.exitCodes has no default');
  const parseFailures = Object.entries(codes).filter(([key]) => key !== 'default');
  for (const [key, value] of parseFailures) {
    if (!PARSE_FAILURES[key]) throw new Error(`oclif exit code setting ${key} has no words in scripts/cli-reference.ts`);
    if (value !== sources.usageExit) throw new Error(`oclif exit code ${key} is ${value}, not the usage exit ${sources.usageExit}`);
  }
  const t = { inTable: true };
  const failureCodes = sources.errorCodes.filter((c) => c !== 'EUSAGE');
  return table(
    ['exit', 'when'],
    [
      ['`0`', 'success'],
      [
        code(String(failure), t),
        `failure: an error of the CLI (${failureCodes.map((c) => code(c, t)).join(', ')}) or of a package it uses (their own codes), and a command that reports a failed outcome (a service that failed, an unhealthy health check)`,
      ],
      [
        code(String(sources.usageExit), t),
        `bad usage (${code('EUSAGE', t)}): an unknown command, ${parseFailures.map(([key]) => PARSE_FAILURES[key]).join(', ')}, and whatever a command refuses as usage (no name and no ${code('--all', t)}, a name the config does not have, …)`,
      ],
    ],
  );
}

/** The command reference: what goes between the markers of docs/cli.md. */
export async function renderCliReference(sources: CliSources): Promise<string> {
  const name = sources.oclif.bin;
  const ids = Object.keys(sources.commands);
  // Global flags: the ones in the GLOBAL help group that every command has (one definition each).
  const globalFlags = new Map<string, Flag>();
  const first = flagsOf(sources.commands[ids[0]!]!);
  for (const [flagName, flag] of Object.entries(first)) {
    if (flag.helpGroup !== 'GLOBAL') continue;
    if (ids.every((id) => flagsOf(sources.commands[id]!)[flagName]?.description === flag.description)) globalFlags.set(flagName, flag);
  }
  const topics = Object.entries(sources.oclif.topics);
  for (const id of ids) {
    const topic = id.includes(':') ? id.split(':')[0]! : null;
    if (topic && !sources.oclif.topics[topic]) throw new Error(`${id}: topic ${topic} has no description in package.json's oclif.topics`);
  }
  const out: string[] = [
    `<!-- Written by \`${COMMAND_TO_RUN}\` from the command classes (apps/cli/src/commands.ts) and package.json's oclif section: edit those, then run it. -->`,
    '## Reference',
    `Every command, from the command classes themselves (what ${code(`${name} <command> --help`)} prints). Each takes the global flags too.`,
    '### Global flags',
    await flagTable([...globalFlags]),
    '### Exit codes',
    exitCodes(sources),
  ];
  const set = new Set(globalFlags.keys());
  for (const id of ids.filter((i) => !i.includes(':'))) out.push(await commandSection(id, sources.commands[id]!, sources, set));
  for (const [topic, { description }] of topics) {
    const members = ids.filter((i) => i.startsWith(`${topic}:`));
    if (members.length === 0) throw new Error(`topic ${topic} in package.json has no command`);
    out.push(`### ${code(`${name} ${topic}`)}`, `${prose(description)} Its commands: ${members.map((m) => code(`${name} ${words(m)}`)).join(', ')}.`);
    for (const id of members) out.push(await commandSection(id, sources.commands[id]!, sources, set));
  }
  return `${out.join('\n\n')}\n`;
}

// ---- `svc status --json`: the TypeScript shape of the zod schema the CLI validates with ----

interface ZodDef {
  type: string;
  format?: string;
  shape?: Record<string, ZodLike>;
  entries?: Record<string, string>;
  innerType?: ZodLike;
  element?: ZodLike;
  values?: unknown[];
}
export interface ZodLike {
  _zod: { def: ZodDef };
}

/** What a field means, where its name and type do not say it all (by path; `[]` is an array's item). */
const STATUS_NOTES: Record<string, string> = {
  project: 'the config file\'s path, or "adhoc"',
  state: 'folded over the instances: running while one runs',
  pid: "the first running instance's pid (slot order)",
  supervisorPid: "the daemon's pid",
  'lastExit.at': 'ISO 8601 time',
  'lastExit.runMs': "how long that run lasted (a oneshot's duration); null from an older daemon",
  memoryBytes: "RSS of the service's whole process tree",
  health: 'the service\'s STATUS= text, "failed", or why it is not supervised',
  'instances[].processes': "processes in the instance's tree, from the last sample",
  supervisorAlive: 'false: no daemon answers; the row is what the last one left',
  failure: 'why a failed service gave up, or "supervisor died (…)"',
  fencingToken: "with a lock: the lease's fencing token (decimal) on the leader, null on a standby",
  droppedLogLines: 'log lines the disk refused (full, read-only); the table says so under it',
  stderrTail: 'failed services: the last lines of stderr',
};

function tsType(schema: ZodLike, at: string, depth: number, used: Set<string>): string {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return Object.values(def.entries ?? {})
        .map((v) => `'${v}'`)
        .join(' | ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'nullable':
      return `${tsType(def.innerType!, at, depth, used)} | null`;
    case 'optional':
      return tsType(def.innerType!, at, depth, used);
    case 'array': {
      const item = tsType(def.element!, `${at}[]`, depth, used);
      return item.includes('\n') ? `Array<${item}>` : /^[\w]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
      return tsObject(def.shape ?? {}, at, depth, used);
    default:
      throw new Error(`status item: no TypeScript form for a zod ${def.type} at ${at || 'the top'}`);
  }
}

function tsObject(shape: Record<string, ZodLike>, at: string, depth: number, used: Set<string>): string {
  const fields = Object.entries(shape).map(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    const optional = value._zod.def.type === 'optional' ? '?' : '';
    return { path, head: `${key}${optional}: `, type: tsType(value, path, depth + 1, used) };
  });
  const notes = fields.map((f) => STATUS_NOTES[f.path]);
  const inline = `{ ${fields.map((f) => `${f.head}${f.type}`).join('; ')} }`;
  if (depth > 0 && notes.every((n) => n === undefined) && !inline.includes('\n') && inline.length <= 100) return inline;
  const pad = '  '.repeat(depth + 1);
  const lines = fields.map((f, i) => {
    const text = `${pad}${f.head}${f.type};`;
    const note = notes[i];
    if (note === undefined) return text;
    used.add(f.path);
    const last = text.split('\n').pop()!;
    return `${text}${' '.repeat(Math.max(1, 34 - last.length))}// ${note}`;
  });
  return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
}

function statusJson(schema: ZodLike): string {
  const used = new Set<string>();
  const type = tsType(schema, '', 0, used);
  const stale = Object.keys(STATUS_NOTES).filter((p) => !used.has(p));
  if (stale.length > 0) throw new Error(`status item notes for fields the schema does not have: ${stale.join(', ')}`);
  return [
    '#### `--json`',
    'An array of these (the type of `statusItemSchema` in `apps/cli/src/status-item.ts`, the zod schema the end-to-end suite validates every item with):',
    block('fragment: a TypeScript type, the shape of each item', 'ts', type),
  ].join('\n\n');
}

/** Writes the reference into docs/cli.md (`pnpm --filter @svc/cli docs:cli`). */
export async function main(): Promise<void> {
  const changed = writeBetween(PAGE, MARKER, await renderCliReference(cliSources()));
  process.stdout.write(`docs/${PAGE}: ${changed ? 'reference written' : 'already up to date'}\n`);
}
