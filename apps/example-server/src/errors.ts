/**
 * Every code this server reports: on stderr when it refuses to start, and as
 * `{ error: { code, message } }` in the body of an error response. The README's `## Errors`
 * table is checked against this list.
 */
export const ERROR_CODES = ['EBAD_ENV', 'ELOCKED', 'ENOT_FOUND', 'EMETHOD', 'EBAD_QUERY', 'ESPAWN', 'EINTERNAL'] as const;

export type ExampleErrorCode = (typeof ERROR_CODES)[number];

/** An environment variable holds a value the server cannot use; nothing has been started. */
export class ConfigError extends Error {
  readonly code = 'EBAD_ENV' satisfies ExampleErrorCode;
  readonly variable: string;
  readonly value: string;

  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)} is not valid: expected ${expected}.`);
    this.name = 'ConfigError';
    this.variable = variable;
    this.value = value;
  }
}
