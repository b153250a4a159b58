import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DAEMON_NODE_ARGS } from '@svc/supervisor/definition';
import { afterAll, describe, expect, it } from 'vitest';
import { pageBlocks } from '../../../tooling/doc-blocks.js';
import { svc } from './helpers.js';

const GUIDE = path.join('guides', 'systemd-launchd.md');
const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-systemd-guide-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `svc install api --dry-run`'s unit text (it prints the file indented by four spaces). */
async function dryRunUnit(): Promise<{ unit: string; stdout: string; stderr: string }> {
  writeFileSync(path.join(dir, 'svc.config.yaml'), 'services:\n  api:\n    command: node\n    args: [server.js]\n');
  const result = await svc(['install', 'api', '--dry-run'], { cwd: dir, env: { SVC_HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'config') } });
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('would write ')) + 1;
  const body: string[] = [];
  for (const line of lines.slice(start)) {
    if (line !== '' && !line.startsWith('    ')) break;
    body.push(line.slice(4));
  }
  return { unit: body.join('\n'), stdout: result.stdout, stderr: result.stderr };
}

describe('docs/guides/systemd-launchd.md shows the unit svc install writes', () => {
  it('every line of the shown unit but the machine’s paths is the one `svc install --dry-run` writes', async () => {
    const shown = pageBlocks(GUIDE).find((b) => b.lang === 'ini' && b.code.includes('daemon" "run"'));
    expect(shown, 'the guide shows the daemon’s unit').toBeDefined();
    const { unit } = await dryRunUnit();
    // The paths of Node, of svc, of the config and of the home differ per machine; everything else is the unit.
    const machine = /^(ExecStart|WorkingDirectory|Environment)=/;
    const keep = (text: string) => text.split('\n').filter((l) => !machine.test(l));
    expect(keep(shown!.code)).toEqual(keep(unit));
    // node, node's own options (the daemon's, DAEMON_NODE_ARGS), the entry, svc's arguments.
    const exec = (text: string) => /^ExecStart=("[^"]*") ((?:"-[^"]*" )*)("[^"]*") (.*)$/m.exec(text)!;
    expect(exec(unit)[2]).toBe(DAEMON_NODE_ARGS.map((a) => `"${a}" `).join(''));
    expect(exec(shown!.code)[2]).toBe(exec(unit)[2]);
    expect(exec(shown!.code)[4]).toMatch(/^"daemon" "run" "--service" "api@[^"]+\/svc\.config\.yaml"/);
    expect(exec(unit)[4]).toBe(`"daemon" "run" "--service" "api@${path.join(dir, 'svc.config.yaml')}"`);
  });

  it('says once that lingering is off, naming the CLI’s flag', async () => {
    const { stdout, stderr } = await dryRunUnit();
    const said = `${stdout}${stderr}`.split('\n').filter((l) => /lingering is off/.test(l));
    expect(said.length, said.join('\n')).toBeLessThanOrEqual(1);
    for (const line of said) expect(line).toContain('--linger');
  });
});
