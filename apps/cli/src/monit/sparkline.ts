/*
 * A short history as one row of block characters, newest on the right, each value drawn between
 * a floor and a top: 0 and a known maximum (a CPU's 100 %, a memory limit), or — for memory
 * without a limit — the lowest value shown and a quarter above it (or the highest, if higher), so
 * that a steady service draws a flat line and growth shows. A sample without a number is a blank.
 */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** How many samples each history keeps: the widest sparkline any layout draws. */
export const HISTORY_LENGTH = 60;

export function sparkline(values: readonly (number | null)[], width: number, max: number | null): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const numbers = shown.filter((v): v is number => v !== null);
  const floor = max === null ? Math.min(...numbers) : 0;
  const top = Math.max(max ?? floor * 1.25, ...numbers);
  const cells = shown.map((v) => {
    if (v === null) return ' ';
    if (top <= floor) return BLOCKS[0]!;
    return BLOCKS[Math.min(BLOCKS.length - 1, Math.max(0, Math.round(((v - floor) / (top - floor)) * (BLOCKS.length - 1))))]!;
  });
  return ' '.repeat(width - cells.length) + cells.join('');
}

/** Appends a sample, keeping the last HISTORY_LENGTH. */
export function pushSample(history: (number | null)[], value: number | null): void {
  history.push(value);
  if (history.length > HISTORY_LENGTH) history.splice(0, history.length - HISTORY_LENGTH);
}
