import { SERVICE_NAME } from '@svc/supervisor/definition';
import { describe, expect, it } from 'vitest';
import { pm2DefaultName, ServiceNames, validServiceName } from '../../src/import/service-names.js';

describe('service names from PM2 app names', () => {
  it('keeps a valid name, and makes any other one valid', () => {
    expect(validServiceName('api')).toBe('api');
    expect(validServiceName('api-v2.1_x')).toBe('api-v2.1_x');
    expect(validServiceName('email worker')).toBe('email-worker');
    expect(validServiceName('api@v2!')).toBe('api-v2');
    expect(validServiceName('café ünïcode')).toBe('cafe-unicode');
    expect(validServiceName('--hidden')).toBe('hidden');
    expect(validServiceName('日本語')).toBe('app');
    expect(validServiceName('all')).toBe('all-app');
    expect(validServiceName('x'.repeat(100))).toBe('x'.repeat(64));
    for (const raw of ['', ' ', '\u0000\r\n', 'a/b\\c', '.', 'all', '🙂'.repeat(40)]) expect(validServiceName(raw)).toMatch(SERVICE_NAME);
  });

  it('makes names unique without regard to case, and says why each one changed', () => {
    const names = new ServiceNames();
    expect(names.claim('api')).toEqual({ name: 'api', renamed: null });
    expect(names.claim('api')).toEqual({ name: 'api-2', renamed: expect.stringContaining('another app has this name') as string });
    expect(names.claim('API')).toEqual({ name: 'API-3', renamed: expect.stringContaining('another app has this name') as string });
    expect(names.claim('api-2')).toMatchObject({ name: 'api-2-2' });
    expect(names.claim('all')).toEqual({ name: 'all-app', renamed: expect.stringContaining('and not all') as string });
    const long = names.claim('y'.repeat(64));
    expect(names.claim('y'.repeat(64))).toMatchObject({ name: `${'y'.repeat(62)}-2` });
    expect(long.renamed).toBeNull();
  });

  it('names an app without a name after its script, as PM2 does', () => {
    expect(pm2DefaultName('dist/server.js')).toBe('server');
    expect(pm2DefaultName('./bin/www')).toBe('www');
    expect(pm2DefaultName('.hidden')).toBe('.hidden');
  });
});
