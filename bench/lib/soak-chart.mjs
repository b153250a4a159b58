// The soak run's chart, drawn by hand as SVG from the samples (no charting dependency): one panel
// per measure, time on the x axis, one line per series, the warm-up shaded.

const W = 860;
const PANEL_H = 220;
const M = { left: 64, right: 170, top: 34, bottom: 40 };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round tick steps (1, 2, 5 × 10^k) giving about `count` ticks over [lo, hi]. */
function ticks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

/**
 * One panel: `series` = [{ label, colour, points: [{ x (minutes), y }] }], drawn at `top`.
 * The y range covers every point with a margin, and starts at 0 when `fromZero`.
 */
function panel({ title, unit, series, top, xMax, warmupMin, fromZero }) {
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  let lo = fromZero ? 0 : Math.min(...ys);
  let hi = Math.max(...ys);
  if (!Number.isFinite(hi)) [lo, hi] = [0, 1];
  const pad = (hi - lo) * 0.08 || 1;
  lo = fromZero ? 0 : Math.max(0, lo - pad);
  hi += pad;
  const plotW = W - M.left - M.right;
  const plotH = PANEL_H - M.top - M.bottom;
  const x = (v) => Number((M.left + (v / xMax) * plotW).toFixed(1));
  const y = (v) => Number((top + M.top + plotH - ((v - lo) / (hi - lo)) * plotH).toFixed(1));
  const parts = [`<text x="${M.left}" y="${top + 20}" font-size="14" font-weight="bold">${esc(title)}</text>`];
  parts.push(`<rect x="${x(0)}" y="${top + M.top}" width="${(x(warmupMin) - x(0)).toFixed(1)}" height="${plotH}" fill="#eeeeee"/>`);
  parts.push(`<text x="${x(0) + 4}" y="${top + M.top + 12}" font-size="10" fill="#777">warm-up</text>`);
  for (const v of ticks(lo, hi, 5)) {
    parts.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#dddddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v}</text>`);
  }
  for (const v of ticks(0, xMax, 8)) {
    parts.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top + M.top + plotH}" y2="${top + M.top + plotH + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x(v)}" y="${top + M.top + plotH + 16}" font-size="11" text-anchor="middle">${v}</text>`);
  }
  parts.push(`<text x="${M.left + plotW / 2}" y="${top + PANEL_H - 6}" font-size="11" text-anchor="middle">minutes</text>`);
  parts.push(`<text x="14" y="${top + M.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${top + M.top + plotH / 2})">${esc(unit)}</text>`);
  parts.push(`<rect x="${M.left}" y="${top + M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.y)).map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`);
    if (pts.length > 0) parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="1.6" points="${pts.join(' ')}"/>`);
    const ly = top + M.top + 14 + i * 18;
    parts.push(`<line x1="${M.left + plotW + 12}" x2="${M.left + plotW + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2"/>`);
    parts.push(`<text x="${M.left + plotW + 34}" y="${ly}" font-size="11">${esc(s.label)}</text>`);
  });
  return parts.join('\n');
}

/** The whole SVG: `panels` as for panel() without top/xMax/warmupMin; `subtitle` under the title. */
export function soakChart({ title, subtitle, panels, xMax, warmupMin }) {
  const height = 50 + panels.length * PANEL_H;
  const body = panels.map((p, i) => panel({ ...p, top: 50 + i * PANEL_H, xMax, warmupMin }));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="${M.left}" y="40" font-size="11" fill="#555">${esc(subtitle)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
