import { describe, expect, it } from 'vitest';
import { integerParam, QueryError } from '../src/query.js';

const read = (search: string) => integerParam(new URLSearchParams(search), 'ms', 0, 60_000);

describe('integerParam', () => {
  it('reads a whole number within the bounds, both ends included', () => {
    expect(read('ms=0')).toBe(0);
    expect(read('ms=250&other=x')).toBe(250);
    expect(read('ms=60000')).toBe(60_000);
    expect(read('ms=000042')).toBe(42);
  });

  it.each(['', 'ms=', 'ms=-1', 'ms=60001', 'ms=1.5', 'ms=1e3', 'ms=0x10', 'ms=%2010', 'ms=abc', 'ms=1&ms=2', 'ms=99999999999999999999', 'MS=5'])(
    'refuses %j with a QueryError that names the parameter',
    (search) => {
      expect(() => read(search)).toThrow(QueryError);
      expect(() => read(search)).toThrow(/"ms"/);
    },
  );
});
