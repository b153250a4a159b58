/*
 * What an ecosystem file held that is not data: a function (`script: () => …`), a class instance,
 * a getter that threw, a circular reference. A JavaScript file is run in a child process that
 * sends back only JSON, with the paths of these values beside it (ecosystem-code.ts); they are put
 * back here as NonData markers, so that the mapping can say of each key "not mapped: a function
 * value" instead of silently missing it.
 */

const BRAND = Symbol.for('svc.cli.import.non-data');

/** A value of the file that could not come back as data; `kind` says what it was ("a function"). */
export class NonData {
  readonly kind: string;

  constructor(kind: string) {
    this.kind = kind;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function isNonData(value: unknown): value is NonData {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Where a non-data value was: keys and array indexes from the top of the file's export. */
export type ValuePath = Array<string | number>;

/** Sets an own property, even one named `__proto__` (an object's own key, never its prototype). */
export function setOwn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Puts a NonData marker at each path of `value` (which came back as JSON: the marked values were
 * left out). A path whose parent is missing (inside a value that was itself marked) is skipped.
 */
export function restoreNonData(value: unknown, marks: ReadonlyArray<{ path: ValuePath; kind: string }>): unknown {
  let root = value;
  for (const { path, kind } of marks) {
    if (path.length === 0) {
      root = new NonData(kind);
      continue;
    }
    let at: unknown = root;
    for (const key of path.slice(0, -1)) {
      if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) {
        at = undefined;
        break;
      }
      at = (at as Record<string | number, unknown>)[key];
    }
    if (typeof at === 'object' && at !== null && !isNonData(at)) setOwn(at as Record<string, unknown>, path.at(-1)!, new NonData(kind));
  }
  return root;
}
