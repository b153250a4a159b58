/** A query parameter that is missing, repeated, not a whole number or out of range. */
export class QueryError extends Error {
  readonly code = 'EBAD_QUERY';
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'QueryError';
    this.parameter = parameter;
  }
}

/** Reads `name` from a query string as a whole number in [min, max]; anything else is a QueryError. */
export function integerParam(query: URLSearchParams, name: string, min: number, max: number): number {
  const values = query.getAll(name);
  const expected = `a whole number from ${min} to ${max}`;
  if (values.length === 0) throw new QueryError(name, `query parameter "${name}" is required: ${expected}`);
  if (values.length > 1) throw new QueryError(name, `query parameter "${name}" was given ${values.length} times; give it once`);
  const raw = values[0]!;
  // Digits only: Number() would accept "1e3", "0x10", " 5" and "" as numbers.
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new QueryError(name, `query parameter "${name}"=${JSON.stringify(raw.slice(0, 40))} is not valid: expected ${expected}`);
  }
  return value;
}
