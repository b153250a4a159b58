import { describe, expect, it } from 'vitest';
import { createInstaller, ERROR_CODES, generate, isInstallerError, type InstallerOptions } from '../src/index.js';

const base: InstallerOptions = {
  name: 'api',
  nodePath: '/usr/bin/node',
  svcEntry: '/opt/svc/bin/svc.js',
  workingDirectory: '/srv/app',
  stopTimeoutMs: 10_000,
  platform: 'systemd',
  unitDir: '/nonexistent/units',
};

function codeOf(options: Partial<InstallerOptions>): string | undefined {
  try {
    createInstaller({ ...base, ...options });
  } catch (error) {
    if (isInstallerError(error)) {
      expect(ERROR_CODES).toContain(error.code);
      expect(error.message.length).toBeGreaterThan(20);
      return error.code;
    }
    throw error;
  }
  return undefined;
}

// Tab, CR, LF, NUL, ESC, DEL and a C1 control (NEL).
const CONTROLS = ['\t', '\r', '\n', '\0', '\u001b', '\u007f', '\u0085'];

describe('hostile input', () => {
  it('rejects a control character in every text field with ECONTROL_CHARACTER, naming the field', () => {
    const fields: Array<(c: string) => Partial<InstallerOptions>> = [
      (c) => ({ name: `a${c}b` }),
      (c) => ({ description: `a${c}b` }),
      (c) => ({ nodePath: `/usr/bin/no${c}de` }),
      (c) => ({ svcEntry: `/opt/svc${c}/svc.js` }),
      (c) => ({ configPath: `/srv/app/svc${c}.json` }),
      (c) => ({ workingDirectory: `/srv/a${c}pp` }),
      (c) => ({ env: { A: `x${c}` } }),
      (c) => ({ logDir: `/var/log/${c}` }),
    ];
    for (const control of CONTROLS) {
      for (const field of fields) {
        for (const platform of ['systemd', 'launchd', 'windows'] as const) {
          const options = { ...field(control), platform, windowsWrapperPath: '/opt/winsw.exe' };
          expect(codeOf(options), `${JSON.stringify(options)}`).toBe('ECONTROL_CHARACTER');
        }
      }
    }
    let caught: unknown;
    try {
      generate({ ...base, env: { SAFE: 'ok', BAD: 'line\nExecStart=/bin/sh' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'ECONTROL_CHARACTER', field: 'env.BAD', character: 'U+000A', index: 4 });
  });

  it('rejects half a surrogate pair with EUNREPRESENTABLE', () => {
    expect(codeOf({ name: 'a\ud800b' })).toBe('EUNREPRESENTABLE');
  });

  it('rejects relative and non-normalised paths with EINVALID_PATH', () => {
    expect(codeOf({ nodePath: 'node' })).toBe('EINVALID_PATH');
    expect(codeOf({ nodePath: '/usr/bin/../bin/node' })).toBe('EINVALID_PATH');
    expect(codeOf({ svcEntry: './svc.js' })).toBe('EINVALID_PATH');
    expect(codeOf({ configPath: 'svc.config.ts' })).toBe('EINVALID_PATH');
    expect(codeOf({ workingDirectory: '' })).toBe('EINVALID_PATH');
    expect(codeOf({ unitDir: 'units' })).toBe('EINVALID_PATH');
  });

  it('rejects what systemd cannot carry: a working directory ending in whitespace (EUNREPRESENTABLE)', () => {
    expect(codeOf({ workingDirectory: '/srv/app ' })).toBe('EUNREPRESENTABLE');
    expect(codeOf({ workingDirectory: '/srv/app ', platform: 'launchd' })).toBeUndefined();
  });

  it('rejects bad names, env names, users and options with their codes', () => {
    expect(codeOf({ name: '' })).toBe('EINVALID_NAME');
    expect(codeOf({ name: 'ü'.repeat(40) })).toBe('EINVALID_NAME');
    expect(codeOf({ env: { '1A': 'x' } })).toBe('EINVALID_ENV_NAME');
    expect(codeOf({ env: { 'A=B': 'x' } })).toBe('EINVALID_ENV_NAME');
    expect(codeOf({ env: { 'A B': 'x' } })).toBe('EINVALID_ENV_NAME');
    expect(codeOf({ env: { A: 1 as unknown as string } })).toBe('EINVALID_OPTION');
    expect(codeOf({ system: true, user: 'root; rm -rf /' })).toBe('EINVALID_USER');
    expect(codeOf({ system: true, user: 'www data' })).toBe('EINVALID_USER');
    expect(codeOf({ stopTimeoutMs: -1 })).toBe('EINVALID_OPTION');
    expect(codeOf({ stopTimeoutMs: Number.NaN })).toBe('EINVALID_OPTION');
    expect(codeOf({ platform: 'upstart' as never })).toBe('EINVALID_OPTION');
    expect(codeOf({ platform: 'windows' })).toBe('EINVALID_OPTION');
    expect(codeOf({ system: 'yes' as never })).toBe('EINVALID_OPTION');
    // nodeArgs are node's own options: never a script, a second word or something to expand.
    expect(codeOf({ nodeArgs: ['/tmp/evil.js'] })).toBe('EINVALID_OPTION');
    expect(codeOf({ nodeArgs: ['--inspect=0.0.0.0:9229 /tmp/evil.js'] })).toBe('EINVALID_OPTION');
    expect(codeOf({ nodeArgs: '--max-semi-space-size=8' as never })).toBe('EINVALID_OPTION');
    expect(codeOf({ nodeArgs: [8 as never] })).toBe('EINVALID_OPTION');
    expect(codeOf({ nodeArgs: ['--max-semi-space-size=8', '-r'] })).toBeUndefined();
  });

  it('puts nodeArgs between node and the entry script, on every platform', () => {
    const nodeArgs = ['--max-semi-space-size=8'];
    expect(generate({ ...base, nodeArgs }).content).toContain('ExecStart="/usr/bin/node" "--max-semi-space-size=8" "/opt/svc/bin/svc.js" "run" "api"');
    const plist = generate({ ...base, nodeArgs, platform: 'launchd', unitDir: '/nonexistent/agents' }).content;
    expect(plist).toMatch(/<string>\/usr\/bin\/node<\/string>\s*<string>--max-semi-space-size=8<\/string>\s*<string>\/opt\/svc\/bin\/svc.js<\/string>/);
    const xml = generate({ ...base, nodeArgs, platform: 'windows', nodePath: 'C:\\node\\node.exe', svcEntry: 'C:\\svc\\svc.js', workingDirectory: 'C:\\app', windowsWrapperPath: 'C:\\winsw.exe', unitDir: 'C:\\units' }).content;
    expect(xml).toContain('<arguments>--max-semi-space-size=8 C:\\svc\\svc.js run api</arguments>');
  });

  it('escapes everything else: spaces, quotes, backslashes, $, %, ;, #, =, a leading -, Unicode', () => {
    const definition = generate({ ...base, name: `-a "b" \\ $c %d ;#= ü`, env: { A: `"$x" %y \\` } });
    expect(definition.serviceName).toBe('svc-\\x2da\\x20\\x22b\\x22\\x20\\x5c\\x20\\x24c\\x20\\x25d\\x20\\x3b\\x23\\x3d\\x20\\xc3\\xbc.service');
    expect(definition.content).toContain(`"run" "--" "-a \\"b\\" \\\\ $$c %%d ;#= ü"`);
    expect(definition.content).toContain(`Environment="A=\\"$x\\" %%y \\\\"`);
    // Every line is a section header, a comment, blank or one known directive: nothing injected.
    for (const line of definition.content.split('\n')) expect(line).toMatch(/^(?:$|#|\[(?:Unit|Service|Install)\]$|[A-Za-z]+=)/);
  });
});
