import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readProc } from './processes.js';
import { SVC_BIN } from './paths.js';
import type { Sandbox } from './sandbox.js';
import { waitUntil } from './wait.js';

/*
 * A real terminal for a full-screen command: a tmux server of the test's own (its own socket, no
 * user config), holding one pane of a given size that runs `svc` from a shell. tmux is a terminal
 * emulator: `screen()` is what a person would see (capture-pane), `modes()` whether the program
 * left the alternate screen and showed the cursor again, and `raw()` every byte the program wrote
 * (pipe-pane, attached before the program starts). The shell prints `svc-exit=<status>` when svc
 * ends, and stays, so that the pane shows what the terminal was left as.
 */

const run = promisify(execFile);

export interface Terminal {
  /** What the screen shows, one string per row (trailing spaces trimmed, as tmux gives them). */
  screen(): Promise<string[]>;
  /** Waits until the screen satisfies `probe`, and returns what it then shows. */
  waitForScreen(what: string, probe: (rows: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  /** Everything svc wrote to the terminal so far, escape sequences included. */
  raw(): string;
  /** Presses keys, by tmux's names (`Enter`, `Escape`, `C-c`, `Up`) or as typed (`r`, `S`). */
  keys(...keys: string[]): Promise<void>;
  /** Types text, each character as itself. */
  type(text: string): Promise<void>;
  /** Whether the alternate screen is on and the cursor shown, as the emulator has them now. */
  modes(): Promise<{ alternate: boolean; cursor: boolean }>;
  resize(columns: number, rows: number): Promise<void>;
  /** The pid of the svc process the shell runs. */
  pid(): Promise<number>;
  /** The status svc exited with, once the shell has said it. */
  exitStatus(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

const open = new Set<Terminal>();

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `svc <args>` in a new terminal of `columns`×`rows`, in the sandbox's environment (plus
 * `env`, less `unset`) and project directory (or `cwd`).
 */
export async function openTerminal(
  sb: Sandbox,
  args: string[],
  options: { columns?: number; rows?: number; env?: Record<string, string>; unset?: string[]; cwd?: string } = {},
): Promise<Terminal> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-it-tty-'));
  const socket = path.join(dir, 'tmux.sock');
  const rawFile = path.join(dir, 'raw.log');
  const env: NodeJS.ProcessEnv = { ...sb.env, ...options.env, TERM: 'xterm-256color' };
  for (const name of options.unset ?? []) delete env[name];
  const tmux = async (...words: string[]) => (await run('tmux', ['-S', socket, ...words], { env })).stdout;
  // The shell waits for a line before it runs svc: the pipe is attached by then, so raw() has every byte.
  const command = [process.execPath, SVC_BIN, ...args].map(quote).join(' ');
  const script = `read _; ${command}; echo "svc-exit=$?"; exec sleep 3600`;
  const { columns = 80, rows = 24 } = options;
  try {
    await tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'svc', '-x', String(columns), '-y', String(rows), '-c', options.cwd ?? sb.dir, `sh -c ${quote(script)}`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('tmux is not installed: the terminal tests drive svc monit through it (apt-get install tmux)', { cause: error });
    throw error;
  }
  // tmux's own default size policy would follow a client; there is none, and the size is the test's.
  await tmux('set-option', '-g', 'window-size', 'manual');
  await tmux('pipe-pane', '-t', 'svc', `cat >> ${quote(rawFile)}`);
  await tmux('send-keys', '-t', 'svc', 'Enter');

  const screen = async () => (await tmux('capture-pane', '-p', '-t', 'svc')).replace(/\n$/, '').split('\n');
  const terminal: Terminal = {
    screen,
    async waitForScreen(what, probe, timeoutMs = 30_000) {
      return waitUntil(what, async () => {
        const rows = await screen();
        return probe(rows) ? rows : undefined;
      }, { timeoutMs, describe: async () => `the screen shows:\n${(await screen()).join('\n')}` });
    },
    raw() {
      try {
        return readFileSync(rawFile, 'utf8');
      } catch (error) {
        // Nothing was written yet: the pipe's file is created with the first byte.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw error;
      }
    },
    async keys(...keys) {
      for (const key of keys) await tmux('send-keys', '-t', 'svc', key);
    },
    async type(text) {
      await tmux('send-keys', '-t', 'svc', '-l', text);
    },
    async modes() {
      const [alternate, cursor] = (await tmux('display-message', '-p', '-t', 'svc', '#{alternate_on} #{cursor_flag}')).trim().split(' ');
      return { alternate: alternate === '1', cursor: cursor === '1' };
    },
    async resize(c, r) {
      await tmux('resize-window', '-t', 'svc', '-x', String(c), '-y', String(r));
    },
    async pid() {
      const shell = Number((await tmux('display-message', '-p', '-t', 'svc', '#{pane_pid}')).trim());
      return waitUntil('svc to run in the terminal', () => {
        for (const entry of readdirSync('/proc')) {
          if (!/^\d+$/.test(entry)) continue;
          const info = readProc(Number(entry));
          if (info && info.ppid === shell && info.cmdline.includes(SVC_BIN)) return info.pid;
        }
        return undefined;
      });
    },
    async exitStatus(timeoutMs = 30_000) {
      const rows = await terminal.waitForScreen('the shell to say how svc exited', (r) => r.some((row) => /^svc-exit=\d+$/.test(row)), timeoutMs);
      return Number(/^svc-exit=(\d+)$/m.exec(rows.join('\n'))![1]);
    },
    async close() {
      open.delete(terminal);
      try {
        await tmux('kill-server');
      } catch (error) {
        // The server is gone already (the sandbox's clean-up ends every process of the test).
        if (!/no server running|error connecting|server exited/i.test(String((error as { stderr?: string }).stderr ?? error))) throw error;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.add(terminal);
  return terminal;
}

/** Closes every terminal a test left open. */
export async function closeTerminals(): Promise<void> {
  for (const terminal of [...open]) await terminal.close();
}

/** The colours among the SGR sequences of `raw` (foreground and background, 16, 256 and true colour). */
export function colourSequences(raw: string): string[] {
  // eslint-disable-next-line no-control-regex
  return [...raw.matchAll(/\u001b\[([0-9;]*)m/g)]
    .map((m) => m[0])
    .filter((sequence) => sequence.slice(2, -1).split(';').some((p) => /^(3[0-9]|4[0-9]|9[0-7]|10[0-7])$/.test(p)));
}

/**
 * The rows a full-screen program wrote, each as text: what follows each cursor move to the start
 * of a row (`ESC [ row ; 1 H`), its escape sequences taken out.
 */
export function drawnRows(raw: string): string[] {
  // eslint-disable-next-line no-control-regex
  return raw.split(/\u001b\[\d+;1H/).slice(1).map((chunk) => chunk.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''));
}
