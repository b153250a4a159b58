import { definitionProblems } from '@svc/supervisor/definition';

/*
 * Asking the validator about the keys of a service, for the configuration reference
 * (config-reference.ts): which keys each object knows (what definitionProblems names when it
 * refuses a key it cannot know), and what it says a key expects when given a value no key takes.
 */

export type Definition = Record<string, unknown>;

/** What every probe starts from: the one key a service needs. */
export const BASE: Definition = { command: 'node' };
/** A value no key takes (not a string, a number, an object of variables, nor an array of strings). */
export const WRONG = [null];
/** A key no object of the definition knows. */
const UNKNOWN = '__svc_probe__';

/** `{ a: { b: value } }` for the path `a.b`, over `base` (objects on the way merged). */
export function withValue(base: Definition, key: string, value: unknown): Definition {
  const parts = key.split('.');
  const out: Definition = structuredClone(base);
  let at = out;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    at[part] = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...(next as Definition) } : {};
    at = at[part] as Definition;
  }
  at[parts.at(-1)!] = value;
  return out;
}

/** The known keys of the object at `path` (`''`: the service itself), or null when it is not a strict object. */
export function knownKeys(path: string): readonly string[] | null {
  const definition = path ? withValue(BASE, `${path}.${UNKNOWN}`, 1) : { ...BASE, [UNKNOWN]: 1 };
  const problem = definitionProblems('probe', definition).find((p) => p.option === (path ? `${path}.${UNKNOWN}` : UNKNOWN));
  return problem?.known ?? null;
}

/**
 * Every key a service takes, as the validator knows them: each object's list of known keys (what
 * it names when it refuses a misspelt one), object by object. Sections are listed with their keys.
 */
export function acceptedServiceKeys(): string[] {
  const walk = (path: string): string[] =>
    (knownKeys(path) ?? []).flatMap((key) => {
      const full = path ? `${path}.${key}` : key;
      return [full, ...walk(full)];
    });
  return walk('');
}

/** What the validator says it expects of `key`, given `definition` (a problem there is required). */
export function expected(key: string, definition: Definition): string {
  const found = definitionProblems('probe', definition).filter((p) => p.option === key);
  if (found.length !== 1) throw new Error(`probing ${key} with ${JSON.stringify(definition)} found ${found.length} problems there, not 1`);
  return found[0]!.expected;
}
