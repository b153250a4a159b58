import { HELP_LINES, KEY_HELP } from './keys.js';
import { columnsFor, headerRow, listRows, type ListRow } from './list-rows.js';
import type { PaneEntry } from './log-pane.js';
import { projectLabel, type ServiceView } from './model.js';
import { fit, renderRow, textWidth, truncate, truncateStart, type Segment, type Style } from './text.js';

/*
 * One frame of `svc monit`, top to bottom: a header (the daemon, the count, the project filter),
 * the list's column names, the list, the log pane's title, the log pane, the status line and the
 * help line. Every row is exactly as wide as the terminal. The list takes what it needs up to
 * half of the rows left (it scrolls to keep the selection in sight); the log pane takes the rest,
 * one line per row (a long line is cut: `svc logs` shows it whole). Below 40×10 the frame says
 * only that the terminal is too small.
 */

export const MIN_SIZE = { columns: 40, rows: 10 } as const;

export interface Message {
  text: string;
  kind: 'info' | 'busy' | 'error';
}

export interface FrameState {
  /** The services shown (after the project filter). */
  services: ServiceView[];
  selected: string | null;
  /** The first list row shown (kept between frames so the list does not jump). */
  listOffset: number;
  /** The project shown alone, or null for all. */
  project: ServiceView['project'] | null;
  daemon: { pid: number; version: string } | null;
  pane: PaneEntry[];
  /** Lines the pane is scrolled up from its end (0: it follows new lines). */
  paneScroll: number;
  paneNote: string | null;
  search: string;
  searching: boolean;
  message: Message | null;
  help: boolean;
  colour: boolean;
  now: Date;
}

const FRAME_ROWS = 5;
const MESSAGE_STYLES: Record<Message['kind'], Style> = { info: { fg: 'green' }, busy: { fg: 'yellow' }, error: { fg: 'red', bold: true } };
const MARKS: Record<PaneEntry['kind'], Segment> = { out: { text: 'out', style: { dim: true } }, err: { text: 'err', style: { fg: 'red' } }, svc: { text: 'svc', style: { fg: 'cyan' } } };

const clock = (time: Date) => time.toTimeString().slice(0, 8);

/** The rows of one frame and the list offset it used. */
export function renderFrame(state: FrameState, columns: number, rows: number): { rows: string[]; listOffset: number } {
  const row = (segments: Segment[], fill?: Style) => renderRow(segments, columns, state.colour, fill);
  if (columns < MIN_SIZE.columns || rows < MIN_SIZE.rows) {
    const note = ['svc monit needs', `${MIN_SIZE.columns}×${MIN_SIZE.rows} at least;`, `this is ${columns}×${rows}.`, 'q quits'];
    return { rows: Array.from({ length: rows }, (_, i) => row(note[i] ? [{ text: note[i] }] : [])), listOffset: state.listOffset };
  }
  const c = columnsFor(columns, Math.max(0, ...state.services.map((s) => textWidth(s.name))));
  const all = listRows(state.services, c, state.project === null && new Set(state.services.map((s) => s.project.id)).size > 1, columns);
  const room = rows - FRAME_ROWS;
  const listHeight = Math.max(1, Math.min(Math.max(all.length, 1), Math.floor(room / 2)));
  const paneHeight = room - listHeight;
  const listOffset = scrolled(all, state.selected, state.listOffset, listHeight);

  const out: string[] = [row(header(state, columns)), row(headerRow(c))];
  const shown = all.slice(listOffset, listOffset + listHeight);
  if (all.length === 0) out.push(row([{ text: `  ${emptyText(state)}`, style: { dim: true } }]));
  for (const r of shown) {
    const selected = r.selectable && r.key === state.selected;
    const mark: Segment = { text: selected ? '› ' : '  ', style: { bold: true } };
    out.push(selected ? row([mark, ...r.segments].map((s) => ({ ...s, style: { ...s.style, inverse: true } })), { inverse: true }) : row([mark, ...r.segments]));
  }
  while (out.length < 2 + listHeight) out.push(row([]));

  const selected = state.services.find((s) => s.key === state.selected);
  out.push(row(paneTitle(state, selected, columns)));
  const pane = state.help ? helpRows(paneHeight) : paneRows(state, selected, paneHeight);
  out.push(...pane.map((segments) => row(segments)));
  out.push(row(state.message ? [{ text: state.message.text, style: MESSAGE_STYLES[state.message.kind] }] : []));
  out.push(row(state.searching ? [{ text: `/${state.search}` }, { text: ' ', style: { inverse: true } }, { text: '  Enter keeps, Esc clears', style: { dim: true } }] : [{ text: HELP_LINES.find((l) => textWidth(l) <= columns) ?? HELP_LINES.at(-1)!, style: { dim: true } }]));
  return { rows: out, listOffset };
}

/** The offset that keeps the selected row (and its project's row above it, when there is room) in sight. */
function scrolled(all: ListRow[], selected: string | null, offset: number, height: number): number {
  const at = all.findIndex((r) => r.selectable && r.key === selected);
  let next = Math.min(offset, Math.max(0, all.length - height));
  if (at < 0) return next;
  const top = at > 0 && all[at - 1]!.key === null ? at - 1 : at;
  if (top < next) next = top;
  if (at >= next + height) next = at - height + 1;
  return Math.max(0, next);
}

function header(state: FrameState, columns: number): Segment[] {
  const count = state.services.length;
  const daemon = state.daemon ? `daemon pid ${state.daemon.pid} (${state.daemon.version})` : 'no daemon running';
  // The project's whole path when it fits, else its directory and file: its end names it.
  const before = textWidth(`svc monit ${clock(state.now)} · ${daemon} · ${count} services · project `);
  const label = state.project ? projectLabel(state.project) : '';
  const project = state.project ? `project ${textWidth(label) <= columns - before ? label : label.split('/').slice(-2).join('/')}` : 'all projects';
  return [
    { text: 'svc monit', style: { bold: true } },
    { text: ` ${clock(state.now)} · ` },
    { text: `${daemon} · ${count} service${count === 1 ? '' : 's'} · ${project}`, ...(state.daemon ? {} : { style: { fg: 'yellow' as const } }) },
  ];
}

function emptyText(state: FrameState): string {
  if (!state.daemon) return 'no svc daemon runs: waiting for one (svc start <name> starts one)';
  return state.project ? 'no services in this project' : 'the daemon hosts no services';
}

/** The pane's title: what it shows on the left (a long project path cut from its start), the search and scroll on the right. */
function paneTitle(state: FrameState, selected: ServiceView | undefined, columns: number): Segment[] {
  const parts = [state.search && !state.searching ? `search: ${state.search}` : '', state.paneScroll > 0 ? `${state.paneScroll} lines up (PgDn)` : ''].filter(Boolean);
  const right = truncate(parts.length > 0 ? ` ${parts.join(' · ')} ─` : '', Math.floor(columns / 2));
  let left = '─ no service selected ';
  if (state.help) left = '─ keys ';
  else if (selected) {
    const fixed = `─ ${selected.name} ·  · output and events `;
    left = `─ ${selected.name} · ${truncateStart(projectLabel(selected.project), Math.max(8, columns - textWidth(right) - textWidth(fixed)))} · output and events `;
  }
  const fill = Math.max(0, columns - textWidth(left) - textWidth(right));
  return [{ text: left, style: { bold: true } }, { text: '─'.repeat(fill), style: { dim: true } }, { text: right, style: { fg: 'yellow' } }];
}

function helpRows(height: number): Segment[][] {
  const lines: Segment[][] = KEY_HELP.map(([keys, does]) => [{ text: `  ${fit(keys, 12)}`, style: { bold: true } }, { text: ` ${does}` }]);
  return Array.from({ length: height }, (_, i) => lines[i] ?? []);
}

function paneRows(state: FrameState, selected: ServiceView | undefined, height: number): Segment[][] {
  const notes: Segment[][] = state.paneNote ? [[{ text: state.paneNote, style: { dim: true } }]] : [];
  const room = height - notes.length;
  const end = Math.max(0, state.pane.length - state.paneScroll);
  const shown = state.pane.slice(Math.max(0, end - room), end);
  const several = (selected?.instances.length ?? 0) > 1;
  const lines = shown.map((entry) => entryRow(entry, several, state.search));
  if (lines.length === 0 && notes.length === 0 && selected) notes.push([{ text: state.search ? `no line holds "${state.search}"` : 'no lines yet', style: { dim: true } }]);
  const all = [...lines, ...notes];
  return [...all, ...Array.from({ length: Math.max(0, height - all.length) }, () => [])];
}

function entryRow(entry: PaneEntry, several: boolean, search: string): Segment[] {
  const time = entry.time ? clock(new Date(entry.time)) : '--:--:--';
  const instance = several && entry.instance !== null ? `#${entry.instance} ` : '';
  return [{ text: `${time} `, style: { fg: 'grey' } }, MARKS[entry.kind], { text: ` ${instance}` }, ...highlighted(entry.text, search)];
}

/** The text with each match of the search shown inverse. */
function highlighted(text: string, search: string): Segment[] {
  if (search === '') return [{ text }];
  const out: Segment[] = [];
  const lower = text.toLowerCase();
  const needle = search.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) out.push({ text: text.slice(from, at) });
    out.push({ text: text.slice(at, at + needle.length), style: { inverse: true, fg: 'yellow' } });
    from = at + needle.length;
  }
  if (from < text.length) out.push({ text: text.slice(from) });
  return out;
}
