import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandResult, CommandRunner } from '../src/index.js';

export const fixtures = path.join(import.meta.dirname, 'fixtures');

/** Temp directories made by a test file, removed in its afterAll/afterEach. */
export function tempDirs(): { make(prefix?: string): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    async make(prefix = 'svc-installers-') {
      const dir = await mkdtemp(path.join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

export interface RecordedCall {
  file: string;
  args: string[];
}

/**
 * A runner that records each command and answers from a table instead of running it. Used only
 * where the real command cannot exist on this Linux machine (launchctl, sc.exe, WinSW) or where a
 * test is about which commands are planned, not about what systemd does with them.
 */
export function recordingRunner(answer: (call: RecordedCall) => Partial<CommandResult> = () => ({})): {
  runner: CommandRunner;
  calls: RecordedCall[];
} {
  const calls: RecordedCall[] = [];
  const runner: CommandRunner = (file, args) => {
    const call = { file, args: [...args] };
    calls.push(call);
    return Promise.resolve({ exitCode: 0, stdout: '', stderr: '', ...answer(call) });
  };
  return { runner, calls };
}

/** Names and values that must come out exactly as they went in. */
// `${HOME}` inside a word is what systemd expands in ExecStart= unless `$` is doubled.
export const HOSTILE_NAME = '-we ird/$x ${HOME}' + ` %h "q" 'a' ;#= ü € \\`;
export const HOSTILE_ENV: Record<string, string> = {
  PLAIN: 'x',
  SPACES: '  lead and trail  ',
  QUOTES: `"double" 'single'`,
  TRAILING_BACKSLASH: 'ends with \\',
  BACKSLASHES: 'a\\b\\\\c\\"d',
  DOLLAR: '$HOME ${PATH} $$ $',
  PERCENT: '%h %n %% %',
  PUNCTUATION: 'a;b#c=d&e|f<g>h`i`',
  LEADING_DASH: '-x --flag',
  UNICODE: 'ü € 日本 🙂',
  EMPTY: '',
};
