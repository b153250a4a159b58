import { describe, expect, it } from 'vitest';
import { detectVersionManager, generate } from '../src/index.js';

describe('version manager warning', () => {
  it.each([
    ['/home/me/.nvm/versions/node/v22.1.0/bin/node', 'nvm', undefined],
    ['C:\\Users\\me\\AppData\\Roaming\\nvm\\v22.1.0\\node.exe', 'nvm', undefined],
    ['/home/me/.local/share/fnm/node-versions/v22.1.0/installation/bin/node', 'fnm', '/home/me/.local/share/fnm/aliases/default/bin/node'],
    ['/run/user/1000/fnm_multishells/1234_1700000000000/bin/node', 'fnm', undefined],
    ['/home/me/.volta/tools/image/node/22.1.0/bin/node', 'volta', '/home/me/.volta/bin/node'],
    ['/home/me/.asdf/installs/nodejs/22.1.0/bin/node', 'asdf', '/home/me/.asdf/shims/node'],
  ])('%s is under %s; the stable path is %s', (nodePath, manager, stablePath) => {
    expect(detectVersionManager(nodePath)).toMatchObject({ manager, stablePath });
  });

  it('says nothing for a system node or a shim', () => {
    for (const nodePath of ['/usr/bin/node', '/usr/local/bin/node', '/home/me/.volta/bin/node', '/home/me/.asdf/shims/node']) {
      expect(detectVersionManager(nodePath)).toBeUndefined();
    }
  });

  it('generate() returns the warning, naming the stable alternative', () => {
    const { warnings } = generate({
      name: 'api',
      nodePath: '/home/me/.volta/tools/image/node/22.1.0/bin/node',
      svcEntry: '/srv/app/node_modules/.bin/svc',
      workingDirectory: '/srv/app',
      stopTimeoutMs: 1000,
      platform: 'systemd',
      unitDir: '/nonexistent',
    });
    expect(warnings).toEqual([expect.objectContaining({ code: 'WVERSION_MANAGER', manager: 'volta', stablePath: '/home/me/.volta/bin/node' })]);
    expect(warnings[0]!.message).toContain('/home/me/.volta/bin/node');
  });
});
