import { checkServiceDefinition, DEFINITION_KEYS, definitionProblems, LIMITS } from '@svc/supervisor/definition';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TOP_LEVEL, validateConfig } from '../src/config/validate.js';
import { resolveConfig } from '../src/config/resolve.js';
import { acceptedServiceKeys, COMMAND_TO_RUN, completeExample, GROUPS, MARKER, PAGE, renderConfigReference, ruleFindings } from '../scripts/config-reference.js';
import { readBetween } from '../scripts/markdown.js';

const stale = `docs/${PAGE} is out of date: run \`${COMMAND_TO_RUN}\``;

/** The keys a page documents: the first cell of each table row and the code in each heading. */
function documentedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    const row = /^\| `([^`]+)` \|/.exec(line);
    if (row) keys.add(row[1]!);
    if (/^#{2,4} /.test(line)) for (const m of line.matchAll(/`([^`]+)`/g)) keys.add(m[1]!);
  }
  return keys;
}

describe(`docs/${PAGE}: the configuration reference`, () => {
  it('is what the rules and defaults say now', () => {
    expect(readBetween(PAGE, MARKER), stale).toBe(renderConfigReference());
  });

  it('documents every key the validator accepts, at the top level and in a service, and no other', () => {
    const onPage = documentedKeys(readBetween(PAGE, MARKER));
    const accepted = acceptedServiceKeys();
    // The walk found the nested objects too (it is not just the top-level list).
    expect(accepted).toEqual(expect.arrayContaining(['command', 'readiness.timeout', 'restart.crashLoop.window', 'listen.backlog', 'lock.ttl']));
    for (const key of [...TOP_LEVEL, ...accepted]) expect(onPage.has(key), `${key} is accepted by the validator but not on docs/${PAGE}`).toBe(true);
    const serviceRows = GROUPS.flatMap((g) => g.keys.map((k) => k.key));
    expect(serviceRows.filter((key) => !accepted.includes(key))).toEqual([]);
  });

  it('finds the keys by asking the validator: at the top of a service they are DEFINITION_KEYS, and a misspelt one is not among them', () => {
    const accepted = acceptedServiceKeys();
    expect(accepted.filter((key) => !key.includes('.'))).toEqual([...DEFINITION_KEYS]);
    // What the host decides is not the file's to say.
    for (const key of ['name', 'logDir', 'runDir', 'baseEnv', 'orphanGuard']) expect(accepted, key).not.toContain(key);
    expect(definitionProblems('api', { command: 'node', readiness: { timeot: '1s' } })[0]?.known).toEqual(accepted.filter((k) => k.startsWith('readiness.')).map((k) => k.slice('readiness.'.length)));
  });

  it('each default on the page is the one a service gets when the key is left out', () => {
    for (const group of GROUPS) {
      for (const key of group.keys) {
        if (!key.default || !('value' in key.default) || !key.resolved) continue;
        const checked = checkServiceDefinition('api', { command: 'node', ...key.resolvedWith });
        expect(key.resolved(checked), key.key).toEqual(key.default.value);
      }
    }
  });

  it('each duration and size range on the page is the one the validator enforces', () => {
    const contexts: Record<string, Record<string, unknown>> = { 'restart.maxDelay': { restart: { delay: 0 } }, 'lock.ttl': { lock: { backend: 'redis', url: 'redis://127.0.0.1' } } };
    const at = (key: string, value: number) => {
      const definition: Record<string, unknown> = structuredClone({ command: 'node', ...contexts[key] });
      const parts = key.split('.');
      let target = definition;
      for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
      target[parts.at(-1)!] = value;
      return definitionProblems('api', definition).filter((p) => p.option === key);
    };
    let checked = 0;
    for (const group of GROUPS) {
      for (const key of group.keys) {
        if (key.kind !== 'duration' && key.kind !== 'size') continue;
        const min = key.bounds?.min ?? 0;
        const max = key.bounds?.max ?? (key.kind === 'duration' ? LIMITS.durationMs.max : LIMITS.sizeBytes.max);
        expect(at(key.key, min), `${key.key} ${min}`).toEqual([]);
        expect(at(key.key, max), `${key.key} ${max}`).toEqual([]);
        expect(at(key.key, max + 1), `${key.key} ${max + 1}`).toHaveLength(1);
        if (min > 0) expect(at(key.key, min - 1), `${key.key} ${min - 1}`).toHaveLength(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('every rule between keys it states is one the validator enforces', () => {
    expect(ruleFindings()).toEqual([]);
  });

  it('its examples are valid configs, and the complete one is the doctest block, with every group in it', () => {
    for (const group of GROUPS) expect(() => validateConfig({ services: { api: { command: 'node', ...group.example } } }, `${group.title} example`), group.title).not.toThrow();
    const complete = completeExample();
    const config = validateConfig(complete, 'svc.config.yaml');
    expect(() => resolveConfig('/srv/app/svc.config.yaml', config)).not.toThrow();
    const block = /<!-- doctest: config -->\n```yaml \[svc\.config\.yaml\]\n([\s\S]*?)\n```/.exec(readBetween(PAGE, MARKER));
    expect(block, 'the complete example is a doctest: config block').not.toBeNull();
    expect(parse(block![1]!)).toEqual(complete);
    const used = new Set(Object.values(complete.services as Record<string, Record<string, unknown>>).flatMap((s) => Object.keys(s)));
    for (const group of GROUPS) expect(group.keys.some((k) => used.has(k.key.split('.')[0]!)), group.title).toBe(true);
  });
});
