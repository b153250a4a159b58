import { describe, expect, it } from 'vitest';
import { DEFAULTS, readConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

describe('readConfig', () => {
  it('applies the defaults when nothing is set, and treats empty values as unset', () => {
    const expected = { port: DEFAULTS.PORT, host: DEFAULTS.HOST, version: DEFAULTS.VERSION, testRoutes: false, lock: true, instance: null };
    expect(readConfig({})).toEqual(expected);
    expect(readConfig({ PORT: '', HOST: '', VERSION: '', SVC_EXAMPLE_TEST_ROUTES: '', LOCK: '', SVC_INSTANCE: '' })).toEqual(expected);
  });

  it('reads every variable', () => {
    expect(readConfig({ PORT: '8080', HOST: '::1', VERSION: 'v2.0.1-rc.1', SVC_EXAMPLE_TEST_ROUTES: '1', LOCK: '0', SVC_INSTANCE: '2' })).toEqual({
      port: 8080,
      host: '::1',
      version: 'v2.0.1-rc.1',
      testRoutes: true,
      lock: false,
      instance: 2,
    });
    expect(readConfig({ PORT: '0' }).port).toBe(0);
  });

  const hostile: Array<[string, string]> = [
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '3000abc'],
    ['PORT', '1e3'],
    ['PORT', ' 3000'],
    ['PORT', '0x50'],
    ['HOST', 'localhost/evil'],
    ['HOST', 'a b'],
    ['HOST', 'x'.repeat(300)],
    ['VERSION', 'v1\nSet-Cookie: x'],
    ['VERSION', 'v'.repeat(129)],
    ['SVC_EXAMPLE_TEST_ROUTES', 'yes'],
    ['SVC_EXAMPLE_TEST_ROUTES', 'true'],
    ['LOCK', 'off'],
    ['SVC_INSTANCE', 'first'],
  ];
  it.each(hostile)('refuses %s=%j with EBAD_ENV naming the variable', (variable, value) => {
    let thrown: unknown;
    try {
      readConfig({ [variable]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ code: 'EBAD_ENV', variable, value });
    expect((thrown as Error).message).toContain(variable);
  });
});
