import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

/*
 * How PM2 runs an app's script, in svc's terms (a command and whether the script runs by itself):
 * with its `interpreter`; else by the script's extension (PM2's lib/API/interpreter.json, with
 * svc's portable names: `node`, `python3`); else by what the file is — a binary or a script with
 * another `#!` runs by itself, any other text file with node; a name that is no file is a command
 * found on PATH.
 */

/** Interpreters by script extension, as PM2 picks them (its lib/API/interpreter.json), in svc's portable names. */
const INTERPRETERS: Record<string, string> = {
  '.js': 'node',
  '.cjs': 'node',
  '.mjs': 'node',
  '.ts': 'node',
  '.tsx': 'node',
  '.mts': 'node',
  '.cts': 'node',
  '.py': 'python3',
  '.sh': 'bash',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.coffee': 'coffee',
  '.ls': 'lsc',
};

/** The first bytes of a file, or null when it is not a readable regular file. */
function fileHead(file: string): Buffer | null {
  try {
    if (!statSync(file).isFile()) return null;
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(512);
      return head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not there or not readable: the script is taken as a command on PATH, as PM2 takes it.
    return null;
  }
}

export interface Runner {
  command: string;
  /** The script runs by itself (no interpreter): its arguments follow it directly. */
  direct: boolean;
  note?: string;
}

/** How PM2 would run `script` from `dir`: with `interpreter`, by the script's extension, or by what the file is. */
export function runnerFor(script: string, interpreter: string | undefined, dir: string): Runner {
  const self = (): string => (/[\\/]/.test(script) || path.isAbsolute(script) ? script : `./${script}`);
  if (interpreter !== undefined) {
    if (interpreter === 'none') return { command: self(), direct: true };
    if (/^node@/.test(interpreter)) return { command: 'node', direct: false, note: `interpreter ${interpreter}: PM2 picks that Node through nvm; svc runs the node found on PATH` };
    return { command: interpreter, direct: false };
  }
  const ext = path.extname(script).toLowerCase();
  const byExtension = INTERPRETERS[ext];
  if (byExtension) {
    const note = ['.ts', '.tsx', '.mts', '.cts'].includes(ext) ? 'PM2 runs TypeScript with bun when it is installed; svc runs node, which strips types itself from Node 22.18' : undefined;
    return { command: byExtension, direct: false, ...(note ? { note } : {}) };
  }
  const head = fileHead(path.resolve(dir, script));
  if (head === null) return { command: script, direct: true, note: `${script} is not a file in ${dir}: run as a command found on PATH, as PM2 runs it` };
  if (head.includes(0)) return { command: self(), direct: true };
  const firstLine = head.toString('utf8').split('\n')[0]!;
  if (firstLine.startsWith('#!') && !/\bnode\b/.test(firstLine)) return { command: self(), direct: true };
  // A text file with no known extension (express's bin/www): PM2 runs it with node.
  return { command: 'node', direct: false };
}

export const isNode = (command: string): boolean => /(^|[\\/])node(\.exe)?$/.test(command);

