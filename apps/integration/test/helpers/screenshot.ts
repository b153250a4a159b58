import { writeFileSync } from 'node:fs';

/**
 * A terminal's screen as an SVG image (one <text> per row, monospace, light on dark), for the docs:
 * the test that sees the screen writes it, so the picture in the guide is the program as it is.
 */
export function writeTerminalScreenshot(file: string, rows: string[], columns: number): void {
  const [cw, lh, pad] = [8.4, 17, 12];
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = rows.map((row, i) => `<text x="${pad}" y="${pad + lh * (i + 1) - 4}" xml:space="preserve">${escape(row)}</text>`);
  const [width, height] = [Math.ceil(columns * cw + 2 * pad), lh * rows.length + 2 * pad];
  writeFileSync(
    file,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="a terminal, ${columns}×${rows.length}">\n` +
      `<rect width="100%" height="100%" rx="6" fill="#1e1e1e"/>\n` +
      `<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14" fill="#e6e6e6">\n${lines.join('\n')}\n</g>\n</svg>\n`,
  );
}
