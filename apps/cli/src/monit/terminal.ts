import { constants } from 'node:os';
import readline from 'node:readline';

/*
 * The terminal as `svc monit` uses it: the alternate screen (what was on the terminal comes back
 * afterwards), no cursor, no line wrap (a row one column too wide is cut, never scrolls the
 * screen), raw keys. Every way out restores it once, before anything else is printed: `q` and
 * Ctrl-C (keys in raw mode), SIGTERM, SIGHUP, SIGINT from elsewhere, an exception nobody caught,
 * and the process exiting by any other path ('exit' is synchronous: the writes here are too).
 */

const ENTER = '\u001b[?1049h\u001b[?25l\u001b[?7l\u001b[2J';
const LEAVE = '\u001b[0m\u001b[?7h\u001b[?25h\u001b[?1049l';

/** The signals that end the view (each restores the terminal, then ends the process as the signal would). */
export const EXIT_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;

export interface Key {
  /** readline's name (`up`, `escape`, `return`, `backspace`, a letter), or undefined for other input. */
  name: string | undefined;
  /** What was typed (`S` for shift+s, `+`, `/`). */
  sequence: string;
  ctrl: boolean;
}

export interface Screen {
  readonly columns: number;
  readonly rows: number;
  /** Draws a frame: each row is exactly `columns` wide; only rows that changed are written. */
  draw(rows: string[]): void;
  /** Leaves the screen as it was found. Idempotent; the handle is done after it. */
  restore(): void;
}

export interface ScreenOptions {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  onKey: (key: Key) => void;
  onResize: () => void;
  /** An exit path the view did not take itself: the terminal is already restored when this runs. */
  onFatal: (error: unknown) => void;
}

export function openScreen({ input, output, onKey, onResize, onFatal }: ScreenOptions): Screen {
  let previous: string[] = [];
  let restored = false;
  const write = (text: string) => {
    try {
      output.write(text);
    } catch (error) {
      // EIO/EPIPE: the terminal is gone (a hang-up); there is nothing left to show it.
      if (!['EIO', 'EPIPE', 'ERR_STREAM_DESTROYED'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  };
  // The same for the errors a TTY stream reports asynchronously.
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (!['EIO', 'EPIPE'].includes(error.code ?? '')) onFatal(error);
  };
  const keypress = (typed: string | undefined, key: { name?: string; sequence?: string; ctrl?: boolean; meta?: boolean } | undefined) => {
    const sequence = key?.sequence ?? typed ?? '';
    // Esc and a key typed within readline's escape timeout arrive as one "meta" key (Alt+key):
    // the view binds no Alt keys, so it is the two keys that were typed.
    if (key?.meta && sequence.length === 2 && sequence[0] === '\u001b') {
      onKey({ name: 'escape', sequence: '\u001b', ctrl: false });
      onKey({ name: key.name, sequence: sequence[1]!, ctrl: false });
      return;
    }
    onKey({ name: key?.name, sequence, ctrl: key?.ctrl ?? false });
  };
  const resized = () => {
    previous = [];
    write('\u001b[2J');
    onResize();
  };
  const signals = EXIT_SIGNALS.map((signal) => {
    const handler = () => {
      restore();
      // With the view's handler gone, the signal's default action ends the process; should
      // another handler keep it alive, it exits as a shell reports a death by that signal.
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(128 + constants.signals[signal]), 100).unref();
    };
    return [signal, handler] as const;
  });
  const fatal = (error: unknown) => {
    restore();
    onFatal(error);
  };
  const onExit = () => restore();

  function restore(): void {
    if (restored) return;
    restored = true;
    for (const [signal, handler] of signals) process.off(signal, handler);
    process.off('uncaughtException', fatal);
    process.off('unhandledRejection', fatal);
    process.off('exit', onExit);
    input.off('keypress', keypress);
    output.off('resize', resized);
    if (input.isTTY) input.setRawMode(false);
    input.pause();
    write(LEAVE);
    output.off('error', onOutputError);
  }

  for (const [signal, handler] of signals) process.on(signal, handler);
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.on('exit', onExit);
  output.on('error', onOutputError);
  readline.emitKeypressEvents(input);
  input.setRawMode(true);
  input.on('keypress', keypress);
  input.resume();
  output.on('resize', resized);
  write(ENTER);

  return {
    get columns() {
      return output.columns || 80;
    },
    get rows() {
      return output.rows || 24;
    },
    draw(rows) {
      if (restored) return;
      let out = '';
      rows.forEach((row, i) => {
        if (previous[i] !== row) out += `\u001b[${i + 1};1H${row}`;
      });
      previous = rows;
      if (out) write(out);
    },
    restore,
  };
}
