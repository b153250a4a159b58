import type { DaemonConnection, ProjectRef } from '@svc/supervisor/client';
import type { BaseCommand } from '../base-command.js';
import { connect } from '../daemon.js';
import { ACTION_WORDS, runAction, type Action } from './actions.js';
import { startFeed } from './feed.js';
import { intentOf, type Intent } from './keys.js';
import { followService, PaneBuffer, type Follow } from './log-pane.js';
import { ServiceList, type DaemonEvent, type ServiceView } from './model.js';
import { renderFrame, type Message } from './render.js';
import { openScreen, type Key } from './terminal.js';

/*
 * `svc monit`: the screen, the daemon's feed, the list, the log pane of the selected service and
 * the keys, wired together. Resolves once the user quits (q, Ctrl-C); rejects, with the terminal
 * already restored, when the view itself failed. Signals end the process from terminal.ts.
 */

export interface MonitOptions {
  /** The command: it loads configs for the actions. */
  command: BaseCommand;
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  colour: boolean;
  /** Show this project alone at first (`--config`); null: every project. */
  project: ProjectRef | null;
}

/** Frames are drawn at most this often: a burst of log lines is one redraw. */
const FRAME_MS = 30;
/** Lines PgUp and PgDn scroll the log pane by. */
const PAGE_LINES = 10;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

export async function runMonit(options: MonitOptions): Promise<void> {
  // Before the screen: a daemon of another version is said as every command says it.
  const first = await connect();
  return new Promise<void>((resolve, reject) => {
    const list = new ServiceList();
    const pane = new PaneBuffer();
    let selected: string | null = null;
    let project: ProjectRef | null = options.project;
    let daemon: { pid: number; version: string } | null = null;
    let listOffset = 0;
    let paneScroll = 0;
    let paneKey: string | null = null;
    let paneNote: string | null = null;
    let search = '';
    let searching = false;
    let help = false;
    let message: Message | null = null;
    const busy = new Map<number, string>();
    let actions = 0;
    let drawTimer: NodeJS.Timeout | undefined;
    let done = false;

    // The pane follows the selected service while the daemon hosts it.
    let follow: Follow | null = null;
    let followedOn: DaemonConnection | null = null;
    let followFailedOn: DaemonConnection | null = null;
    let followGeneration = 0;

    const visible = () => list.list(project?.id ?? null);
    const selectedView = () => (selected === null ? undefined : visible().find((v) => v.key === selected));

    const stopFollow = () => {
      followGeneration++;
      const f = follow;
      follow = null;
      followedOn = null;
      if (f) void f.close();
    };

    const startFollow = (view: ServiceView, connection: DaemonConnection) => {
      stopFollow();
      const generation = followGeneration;
      followedOn = connection;
      // A new subscription starts from the lines the daemon keeps: what the pane had would repeat.
      pane.clear();
      paneNote = null;
      const mine = () => generation === followGeneration && !done;
      followService(
        connection.client,
        { project: view.project, service: view.name },
        (entry) => {
          if (!mine()) return;
          pane.add(entry);
          // Scrolled up: the lines shown stay where they are as new ones come below.
          if (paneScroll > 0 && entry.text.toLowerCase().includes(search.toLowerCase())) paneScroll++;
          schedule();
        },
        (error) => {
          if (!mine()) return;
          follow = null;
          followedOn = null;
          if (error) {
            followFailedOn = connection;
            paneNote = `not following ${view.name}: ${messageOf(error)}`;
          }
          feedHandle.refresh();
        },
      ).then(
        (f) => (mine() ? (follow = f) : void f.close()),
        (error: unknown) => {
          if (!mine()) return;
          followedOn = null;
          followFailedOn = connection;
          paneNote = `not following ${view.name}: ${messageOf(error)}`;
          schedule();
        },
      );
    };

    /** Keeps the pane on the selected service, following it while it is hosted. */
    const syncPane = () => {
      const view = selectedView();
      const key = view?.key ?? null;
      if (key !== paneKey) {
        stopFollow();
        pane.clear();
        paneKey = key;
        paneScroll = 0;
        paneNote = null;
        followFailedOn = null;
      }
      const connection = feedHandle.connection;
      if (view && view.gone === null && connection !== null) {
        if (followedOn !== connection && followFailedOn !== connection) startFollow(view, connection);
        return;
      }
      if (followedOn !== null) stopFollow();
      // Started again later, it is followed afresh.
      followFailedOn = null;
      if (view) paneNote = `${view.name} is not running: svc logs ${view.name} shows its log files`;
    };

    /** A valid selection: the one kept if still shown, else the first service. */
    const keepSelection = () => {
      const views = visible();
      if (!views.some((v) => v.key === selected)) selected = views[0]?.key ?? null;
    };

    const draw = () => {
      drawTimer = undefined;
      if (done) return;
      try {
        keepSelection();
        syncPane();
        const frame = renderFrame(
          {
            services: visible(),
            selected,
            listOffset,
            project,
            daemon,
            pane: pane.entries(search),
            paneScroll,
            paneNote,
            search,
            searching,
            message,
            help,
            colour: options.colour,
            now: new Date(),
          },
          screen.columns,
          screen.rows,
        );
        listOffset = frame.listOffset;
        screen.draw(frame.rows);
      } catch (error) {
        void finish(error);
      }
    };

    function schedule(): void {
      drawTimer ??= setTimeout(draw, FRAME_MS);
    }

    const say = (text: string, kind: Message['kind']) => {
      message = { text, kind };
      schedule();
    };

    const act = (action: Action) => {
      const view = selectedView();
      if (!view) return;
      const id = ++actions;
      busy.set(id, `${ACTION_WORDS[action]} ${view.name}…`);
      say(busy.get(id)!, 'busy');
      // Not awaited: the screen and the keys stay live while it runs.
      void runAction(action, view, { command: options.command, connection: feedHandle.connection })
        .then(
          (text) => say(text, 'info'),
          (error: unknown) => say(`✗ ${messageOf(error)}`, 'error'),
        )
        .finally(() => {
          busy.delete(id);
          feedHandle.refresh();
        });
    };

    const move = (step: number) => {
      const views = visible();
      const at = views.findIndex((v) => v.key === selected);
      const next = views[Math.min(views.length - 1, Math.max(0, at + step))];
      if (next) selected = next.key;
    };

    const nextProject = () => {
      const projects = list.projects();
      const at = project === null ? -1 : projects.findIndex((p) => p.id === project!.id);
      project = projects[at + 1] ?? null;
    };

    const INTENTS: Record<Intent, () => void> = {
      up: () => move(-1),
      down: () => move(1),
      'page-up': () => (paneScroll = Math.min(Math.max(0, pane.entries(search).length - 1), paneScroll + PAGE_LINES)),
      'page-down': () => (paneScroll = Math.max(0, paneScroll - PAGE_LINES)),
      restart: () => act('restart'),
      reload: () => act('reload'),
      stop: () => act('stop'),
      start: () => act('start'),
      'scale-up': () => act('scale-up'),
      'scale-down': () => act('scale-down'),
      project: nextProject,
      search: () => {
        searching = true;
        search = '';
        paneScroll = 0;
      },
      clear: () => {
        search = '';
        paneScroll = 0;
      },
      help: () => (help = true),
      quit: () => void finish(),
    };

    const onSearchKey = (key: Key) => {
      if (key.ctrl && key.name === 'c') return void finish();
      if (key.name === 'escape') [search, searching] = ['', false];
      else if (key.name === 'return' || key.name === 'enter') searching = false;
      else if (key.name === 'backspace') search = search.slice(0, -1);
      else if (!key.ctrl && [...key.sequence].every((c) => c >= ' ' && c !== '\u007f')) search += key.sequence;
    };

    const onKey = (key: Key) => {
      if (searching) onSearchKey(key);
      else if (help) {
        // Any key closes the help; quitting keys still quit.
        help = false;
        if (intentOf(key) === 'quit') void finish();
      } else {
        const intent = intentOf(key);
        if (intent) INTENTS[intent]();
      }
      schedule();
    };

    const screen = openScreen({ input: options.input, output: options.output, onKey, onResize: draw, onFatal: (error) => void finish(error) });

    const feedHandle = startFeed(first, {
      onConnected: (connection) => {
        daemon = { pid: connection.hello.pid, version: connection.hello.version };
        schedule();
      },
      onRows: (rows, sample) => {
        list.applyStatus(rows, sample);
        schedule();
      },
      onEvent: (event: DaemonEvent) => {
        if (!list.applyEvent(event)) feedHandle.refresh();
        else if (event.type === 'state' || event.type === 'exited') feedHandle.refresh();
        noteEvent(event);
        schedule();
      },
      onGone: () => {
        daemon = null;
        list.daemonGone();
        schedule();
      },
      onProblem: (error) => say(`✗ ${messageOf(error)}`, 'error'),
    });

    /** What happens to any service without being asked shows in the status line (unless an action is under way). */
    let lastCrash: { who: string; text: string } | null = null;
    const noteEvent = (event: DaemonEvent) => {
      if (busy.size > 0) return;
      const who = `${event.service}${event.instance > 0 ? `#${event.instance}` : ''}`;
      if (event.type === 'state' && (event.to === 'crashed' || event.to === 'failed')) {
        lastCrash = { who, text: `${clock()} ${who} ${String(event.to)} (${String(event.reason)})` };
        say(lastCrash.text, 'error');
      } else if (event.type === 'restarting') {
        const crash = lastCrash?.who === who && message?.text === lastCrash.text ? lastCrash.text : `${clock()} ${who}`;
        say(`${crash}: restarting in ${String(event.delayMs)} ms`, 'error');
      }
    };

    async function finish(error?: unknown): Promise<void> {
      if (done) return;
      done = true;
      clearTimeout(drawTimer);
      screen.restore();
      stopFollow();
      await feedHandle.close();
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(messageOf(error)));
    }

    draw();
  });
}

const clock = () => new Date().toTimeString().slice(0, 8);
