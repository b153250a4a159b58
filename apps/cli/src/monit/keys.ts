/*
 * The keys of `svc monit`, as data: what each does, the words of the help line and of the
 * command's help (so the three cannot disagree). Imported by the command class itself, so it
 * imports nothing.
 */

export type Intent =
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'restart'
  | 'reload'
  | 'stop'
  | 'start'
  | 'scale-up'
  | 'scale-down'
  | 'project'
  | 'search'
  | 'clear'
  | 'help'
  | 'quit';

/** Keys by what is typed (case matters: `s` stops, `S` starts). */
const BY_SEQUENCE: Record<string, Intent> = {
  k: 'up',
  j: 'down',
  r: 'restart',
  l: 'reload',
  s: 'stop',
  S: 'start',
  '+': 'scale-up',
  '=': 'scale-up',
  '-': 'scale-down',
  p: 'project',
  '/': 'search',
  '?': 'help',
  q: 'quit',
};

/** Keys by readline's name. */
const BY_NAME: Record<string, Intent> = { up: 'up', down: 'down', pageup: 'page-up', pagedown: 'page-down', escape: 'clear' };

export function intentOf(key: { name: string | undefined; sequence: string; ctrl: boolean }): Intent | null {
  if (key.ctrl) return key.name === 'c' ? 'quit' : null;
  return BY_SEQUENCE[key.sequence] ?? (key.name ? (BY_NAME[key.name] ?? null) : null);
}

/** Each key and what it does: the help overlay and the command's description. */
export const KEY_HELP: ReadonlyArray<readonly [keys: string, does: string]> = [
  ['↑ ↓ (k j)', 'select a service'],
  ['PgUp PgDn', 'scroll the log pane'],
  ['r', 'restart it, as svc restart does (a config service as its config says now)'],
  ['l', 'reload it, as svc reload does (zero-downtime with listen)'],
  ['s', 'stop it, as svc stop does'],
  ['S', 'start it, as svc start does'],
  ['+ -', 'run one instance more, or one less, as svc scale does'],
  ['p', 'show one project, then the next, then all again'],
  ['/', 'search the log pane (Enter keeps the search, Esc clears it)'],
  ['?', 'show the keys (any key closes them)'],
  ['q, Ctrl-C', 'quit'],
];

/** The help line at the bottom of the screen, widest first: the first that fits is shown. */
export const HELP_LINES = [
  '↑↓ select  r restart  l reload  s stop  S start  +/- scale  p project  / search  ? help  q quit',
  '↑↓ r restart l reload s stop S start +/- scale p project / search ? help q quit',
  '↑↓ r l s S +/- p / q quit ? help',
] as const;
