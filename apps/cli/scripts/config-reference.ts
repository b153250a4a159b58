import { DURATION_UNITS, LIMITS, MAX_DURATION_MS, MAX_SIZE_BYTES, readDuration, readSize, SERVICE_NAME, SIZE_UNITS } from '@svc/supervisor/definition';
import { Document, stringify } from 'yaml';
import { CONFIG_NAMES } from '../src/config/find.js';
import { TOP_LEVEL } from '../src/config/validate.js';
import { ALL } from '../src/usage.js';
import { block, code, prose, table, writeBetween } from './markdown.js';
import { GROUPS, type Group, type Key, RULES } from './config-keys.js';
import { acceptedServiceKeys, BASE, type Definition, expected, knownKeys, WRONG, withValue } from './config-probe.js';

export { acceptedServiceKeys } from './config-probe.js';
export { GROUPS, RULES, ruleFindings } from './config-keys.js';

/*
 * The configuration reference, docs/config.md: every key a config file takes, from the rules that
 * check it. The keys are the validator's own (its lists of known keys, found by asking
 * definitionProblems about a key it cannot know: config-probe.ts); the defaults and bounds are
 * @svc/supervisor's constants (DEFAULTS, SERVICE_DEFAULTS, LIMITS, MAX_DURATION_MS, MAX_SIZE_BYTES),
 * the units its parser's tables, and what each other key accepts is the validator's own words for
 * it. Only the meaning of each key is written by hand, in config-keys.ts; this module renders the
 * page. `pnpm --filter @svc/cli docs:config` writes it; test/config-reference.test.ts fails when it
 * differs, or when a key the validator takes is missing.
 */

export const PAGE = 'config.md';
export const MARKER = 'config-reference';
export const COMMAND_TO_RUN = 'pnpm --filter @svc/cli docs:config';

// ---- units ----

/** Each value a unit's factor as the parser reads it, with the unit names that share it. */
function unitsByFactor(units: Readonly<Record<string, number>>): Array<{ factor: number; names: string[] }> {
  const by = new Map<number, string[]>();
  for (const [name, factor] of Object.entries(units)) by.set(factor, [...(by.get(factor) ?? []), name]);
  return [...by].sort(([a], [b]) => a - b).map(([factor, names]) => ({ factor, names }));
}

/** A duration in the largest unit that divides it: `30s`, `1500ms`. */
export function showDuration(ms: number): string {
  if (ms === 0) return '0';
  const [name, factor] = Object.entries(DURATION_UNITS)
    .filter(([, f]) => ms % f === 0)
    .sort(([, a], [, b]) => b - a)[0]!;
  return `${ms / factor}${name}`;
}

/** A size in the largest unit that divides it, with its two-letter name: `10MB`. */
export function showSize(bytes: number): string {
  if (bytes === 0) return '0';
  const { factor, names } = unitsByFactor(SIZE_UNITS)
    .filter((u) => bytes % u.factor === 0)
    .at(-1)!;
  const name = names.find((n) => n.length === 2) ?? names[0]!;
  return `${bytes / factor}${name.toUpperCase()}`;
}

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`units.ts no longer does what the page says: ${what}`);
}

function unitsSection(): string {
  const ms = (text: string | number) => {
    const read = readDuration(text);
    if (!read.ok) throw new Error(`the duration ${String(text)} is refused: ${read.expected}`);
    return read.value;
  };
  const bytes = (text: string | number) => {
    const read = readSize(text);
    if (!read.ok) throw new Error(`the size ${String(text)} is refused: ${read.expected}`);
    return read.value;
  };
  // What the prose below says, asked of the parser.
  must(!readDuration('500').ok && !readSize('512').ok, 'a string without a unit is refused');
  must(ms(500) === 500 && bytes(512) === 512, 'a number is milliseconds or bytes');
  must(ms('1.5s') === 1500 && bytes('1.5KB') === 1536, 'a decimal number is taken');
  must(ms('10 s') === 10_000 && ms('10S') === 10_000 && bytes('1 kib') === 1024, 'spaces and any case are taken');
  must(!readDuration('-1s').ok && !readDuration(-1).ok && !readSize(-1).ok, 'a negative value is refused');
  must(ms('0.0004s') === 0 && ms('0.0006s') === 1 && bytes('1.9b') === 1, 'durations are rounded, sizes rounded down');
  must(ms(MAX_DURATION_MS) === MAX_DURATION_MS && !readDuration(MAX_DURATION_MS + 1).ok && !readSize(MAX_SIZE_BYTES + 1).ok, 'the maxima');

  const t = { inTable: true };
  const SAMPLE: Record<string, number> = { ms: 500, s: 30, m: 5, h: 1, d: 1 };
  const durationRows = unitsByFactor(DURATION_UNITS).map(({ factor, names }) => {
    const sample = `${SAMPLE[names[0]!] ?? 1}${names[0]}`;
    return [names.map((n) => code(n, t)).join(', '), `${factor} ms`, `${code(sample, t)} = ${ms(sample)} ms`];
  });
  const sizeRows = unitsByFactor(SIZE_UNITS).map(({ factor, names }) => {
    const spelled = names.map((n) => `512${n.length === 1 ? n : n.toUpperCase().replace('IB', 'iB')}`);
    for (const s of spelled) must(bytes(s) === 512 * factor, `${s} is ${512 * factor} bytes`);
    return [names.map((n) => code(n, t)).join(', '), `${factor} byte${factor === 1 ? '' : 's'}${factor > 1 ? ` (1024^${Math.round(Math.log(factor) / Math.log(1024))})` : ''}`, spelled.map((s) => code(s, t)).join(' = ') + ` = ${512 * factor} bytes`];
  });
  const days = Math.floor((MAX_DURATION_MS / DURATION_UNITS.d!) * 10) / 10;
  const pib = MAX_SIZE_BYTES / 1024 ** 5;
  return [
    '## Units',
    `A **duration** is a number of milliseconds, or a string: a number (decimals allowed) and a unit, in any case, a space between them allowed (${code('1.5s')}, ${code('10 S')}). Rounded to a whole millisecond. Every duration is at most ${MAX_DURATION_MS} ms (about ${days} days: Node's timers cannot wait longer); a key may have a tighter lower bound, shown in its row.`,
    table(['unit', 'is', 'example'], durationRows),
    `A **size** is a number of bytes, or a string the same way. Every unit is a power of 1024, whichever way it is written: ${code('512KB')}, ${code('512KiB')} and ${code('512k')} are all ${bytes('512KB')} bytes. Rounded down to a whole byte. Every size is at most ${MAX_SIZE_BYTES} bytes (${pib} PiB).`,
    table(['units', 'are', 'example'], sizeRows),
    `A string without a unit (${code('"500"')}) and a negative value are refused: the file is refused naming the key, the value and what was expected.`,
  ].join('\n\n');
}

// ---- the page ----

function showDefault(k: Key): string {
  const t = { inTable: true };
  if (!k.default) return '–';
  if ('text' in k.default) return k.default.text;
  const { value, note } = k.default;
  let shown: string;
  if (k.kind === 'duration') shown = `${code(showDuration(value as number), t)}${value === 0 ? '' : ` (${value as number} ms)`}`;
  else if (k.kind === 'size') shown = `${code(showSize(value as number), t)}${value === 0 ? '' : ` (${value as number} bytes)`}`;
  else shown = code(typeof value === 'string' ? value : JSON.stringify(value), t);
  return note ? `${shown} ${prose(note, t)}` : shown;
}

function accepts(k: Key): string {
  const t = { inTable: true };
  if (k.section) return `an object: ${(knownKeys(k.key) ?? []).map((key) => code(key, t)).join(', ')}`;
  if (k.kind === 'duration' || k.kind === 'size') {
    const unit = k.kind === 'duration' ? 'ms' : 'bytes';
    const max = k.kind === 'duration' ? (k.bounds?.max ?? LIMITS.durationMs.max) : (k.bounds?.max ?? LIMITS.sizeBytes.max);
    return `${k.bounds?.min ?? 0}–${max} ${unit}`;
  }
  const probes = k.probes ?? [withValue(BASE, k.key, WRONG)];
  return probes
    .map((probe) => {
      // The probe's own key for a probe of a key within (env.PORT): named as the key's item.
      const at = Object.keys(flatten(probe)).find((path) => flatten(probe)[path] === WRONG) ?? k.key;
      const text = prose(expected(at, probe), t);
      // A probe of what the key holds (a variable of env): named as `env.<NAME>`.
      return at === k.key ? text : `${code(`${k.key}.<NAME>`, t)}: ${text}`;
    })
    .join('; ');
}

function flatten(value: unknown, prefix = ''): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { [prefix]: value };
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => Object.entries(flatten(v, prefix ? `${prefix}.${k}` : k))));
}

function yaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

function groupSection(group: Group): string {
  const t = { inTable: true };
  const rows = group.keys.map((k) => [code(k.key, t), k.type, showDefault(k), accepts(k), prose(k.about, t)]);
  const parts = [`### ${group.title}`, group.intro, table(['key', 'type', 'default', 'accepts', 'meaning'], rows)];
  if (group.extra) parts.push(group.extra());
  parts.push(block('fragment: the keys of this group in one service (an excerpt of a config file)', 'yaml', yaml({ services: { api: group.example } })));
  return parts.join('\n\n');
}

/** A config file with every group's keys, valid as it stands (the page's `doctest: config` block). */
export function completeExample(): Definition {
  return {
    services: {
      web: {
        command: 'node',
        args: ['server.js'],
        env: { NODE_ENV: 'production', PORT: 3000 },
        readiness: { type: 'notify', timeout: '30s' },
        liveness: { heartbeatTimeout: '30s' },
        restart: { policy: 'on-failure', delay: '1s', maxDelay: '30s', crashLoop: { count: 5, window: '1m' } },
        stop: { signal: 'SIGTERM', timeout: '15s' },
        limits: { memory: '512MB', window: '30s' },
        logs: { maxSize: '10MB', maxFiles: 5 },
        instances: 2,
        listen: { port: 3000, host: '127.0.0.1' },
        dependsOn: { migrate: 'completed' },
      },
      migrate: { type: 'oneshot', command: 'node', args: ['migrate.js'] },
      scheduler: {
        command: 'node',
        args: ['scheduler.js'],
        cwd: '.',
        inheritEnv: true,
        readiness: { type: 'none', startWindow: '2s' },
        restart: { policy: 'always', neverRestartExitCodes: [78] },
        stop: { signal: 'SIGINT', timeout: '1m' },
        lock: { backend: 'redis', url: 'redis://127.0.0.1:6379', ttl: '10s' },
      },
    },
  };
}

function completeExampleYaml(): string {
  const doc = new Document(completeExample());
  doc.commentBefore = ' A web server on a shared socket (two instances, reloads without a refused connection), and a\n scheduler that runs on one host at a time (the one holding the Redis lease).';
  return doc.toString({ lineWidth: 0 });
}

/** The configuration reference: what goes between the markers of docs/config.md. */
export function renderConfigReference(): string {
  // Every key the validator takes has its row (or heading), and none other.
  const documented = GROUPS.flatMap((g) => [...g.headingKeys, ...g.keys.map((k) => k.key)]);
  const accepted = acceptedServiceKeys();
  const missing = accepted.filter((k) => !documented.includes(k));
  const unknown = documented.filter((k) => !accepted.includes(k));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(`scripts/config-keys.ts is out of step with the validator: ${missing.length ? `no entry for ${missing.join(', ')}` : ''}${unknown.length ? ` entries it refuses: ${unknown.join(', ')}` : ''}`);
  }
  const t = { inTable: true };
  const out = [
    `<!-- Written by \`${COMMAND_TO_RUN}\` from @svc/supervisor's rules and defaults and the CLI's config validation: edit those, then run it. -->`,
    '## The file',
    `svc looks for the first of ${CONFIG_NAMES.map((n) => code(n)).join(', ')} in the working directory, then in each parent directory (or takes ${code('--config')}). Its top level takes ${TOP_LEVEL.map((k) => code(k)).join(', ')} and nothing else.`,
    table(
      ['key', 'type', 'default', 'accepts', 'meaning'],
      [
        [
          code('services', t),
          'object',
          'required',
          `an object of services, each under its name: ${code(SERVICE_NAME.source, t)} (1–64 letters, digits, ${code('.', t)}, ${code('_', t)}, ${code('-', t)}), and not ${code(ALL, t)}`,
          `The services of this project. Each is an object with the keys below, at ${code('services.<name>.<key>', t)}.`,
        ],
      ],
    ),
    unitsSection(),
    '## Service keys',
    'Keys are written here as paths within one service (`readiness.timeout` is `timeout` under `readiness`). The **accepts** column is the validator\'s own wording, or for durations and sizes their range; a value outside it is refused with the key\'s path, the value and that wording.',
    ...GROUPS.map(groupSection),
    '## Rules between keys',
    RULES.filter((rule, i) => RULES.findIndex((r) => r.text === rule.text) === i)
      .map((rule) => `- ${rule.text}.`)
      .join('\n'),
    '## A complete example',
    'Every group above in one file, as `svc config validate` takes it:',
    block('doctest: config', 'yaml', completeExampleYaml(), 'svc.config.yaml'),
  ];
  return `${out.join('\n\n')}\n`;
}

/** Writes the reference into docs/config.md (`pnpm --filter @svc/cli docs:config`). */
export function main(): void {
  const changed = writeBetween(PAGE, MARKER, renderConfigReference());
  process.stdout.write(`docs/${PAGE}: ${changed ? 'reference written' : 'already up to date'}\n`);
}
