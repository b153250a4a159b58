/*
 * Text for a fixed grid of terminal cells: what a string costs in columns, how it is cut to fit,
 * and styled pieces of a line turned into escape sequences. A service's output is text of any
 * kind (its own colours, tabs, carriage returns, wide CJK characters, emoji), so it is made plain
 * first: nothing it prints may move the cursor or change the screen's modes.
 */

const COLOUR_CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90 } as const;
export type Colour = keyof typeof COLOUR_CODES;

export interface Style {
  fg?: Colour;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** A piece of a line: its text and how it looks. */
export interface Segment {
  text: string;
  style?: Style;
}

// Escape sequences (CSI, OSC, and the two-byte ones), then every other control character.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Combining marks, variation selectors, zero-width spaces and joiners.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const EMOJI = /^\p{Emoji_Presentation}$/u;

/** A service's line made plain: no escape sequences or controls; tabs to 8-column stops; after a `\r`, what a terminal would show. */
export function plainText(raw: string): string {
  const segments = raw.replace(ESCAPES, '').split('\r');
  const shown = segments.findLast((s) => s.length > 0) ?? '';
  let out = '';
  for (const char of shown.replace(CONTROLS, '')) out += char === '\t' ? ' '.repeat(8 - (out.length % 8)) : char;
  return out;
}

/** Columns a code point takes: 0 for combining marks and format characters, 2 for wide East Asian characters and emoji. */
export function charWidth(char: string): number {
  const cp = char.codePointAt(0)!;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(char)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd) ||
    EMOJI.test(char)
  ) {
    return 2;
  }
  return 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** `text` cut to at most `width` columns, ending in `…` when something was cut. */
export function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** `text` cut to at most `width` columns from its start, beginning with `…` when something was cut (a path's end tells most). */
export function truncateStart(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  const chars = [...text];
  let out = '';
  let used = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const w = charWidth(chars[i]!);
    if (used + w > width - 1) break;
    out = chars[i]! + out;
    used += w;
  }
  return `…${out}`;
}

/** `text` cut or padded with spaces to exactly `width` columns (`right`: padded on the left). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
  return align === 'left' ? cut + pad : pad + cut;
}

function sgr(style: Style | undefined, colour: boolean): string {
  const codes: number[] = [];
  if (style?.bold) codes.push(1);
  if (style?.dim) codes.push(2);
  if (style?.inverse) codes.push(7);
  if (colour && style?.fg) codes.push(COLOUR_CODES[style.fg]);
  return codes.length > 0 ? `\u001b[${codes.join(';')}m` : '';
}

/**
 * One screen row: the segments cut to `width` columns and padded to exactly that (the padding
 * takes `fill`'s style: a selected row stays inverse to its end). `colour` false keeps bold,
 * dim and inverse — they are not colours, and a selection must show without colour — and drops
 * every colour (NO_COLOR, TERM=dumb).
 */
export function renderRow(segments: Segment[], width: number, colour: boolean, fill?: Style): string {
  let out = '';
  let used = 0;
  for (const segment of segments) {
    if (used >= width) break;
    const text = truncate(plainText(segment.text), width - used);
    if (text.length === 0) continue;
    const on = sgr(segment.style, colour);
    out += on ? `${on}${text}\u001b[0m` : text;
    used += textWidth(text);
  }
  if (used < width) {
    const on = sgr(fill, colour);
    const pad = ' '.repeat(width - used);
    out += on ? `${on}${pad}\u001b[0m` : pad;
  }
  return out;
}
