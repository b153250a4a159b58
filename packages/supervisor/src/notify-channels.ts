import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from './log-file.js';
import { createNotifyDatagram, loadDatagramSupport, type DatagramSupport, type NotifyDatagramSocket } from './notify-datagram.js';
import { isRunSender } from './notify-sender.js';
import { createNotifySocket, type NotifySocket } from './notify-socket.js';
import type { NotifyMessage, ParsedDatagram } from './notify-vocabulary.js';
import type { Run } from './run.js';

/** Where what arrives on the notify sockets goes (the runner). */
export interface NotifySink {
  /** A line of the stream socket: the runner gives it to its current run. */
  line(message: NotifyMessage): void;
  /** A datagram of `run`'s socket, from one of its processes (or from someone else: then only a problem saying so). */
  datagram(run: Run, parsed: ParsedDatagram): void;
  /** NOTIFY_SOCKET cannot be offered (told once for a load failure, at each spawn for a bind failure). */
  unavailable(reason: string): void;
}

/**
 * An instance's two notify sockets in its run directory (0700): the stream socket named by
 * SVC_NOTIFY_SOCKET (`<base>.notify.sock`, kept across runs) and the datagram socket named by
 * NOTIFY_SOCKET (`<base>.dgram.sock`, bound afresh for each run and closed when the run is over,
 * so what arrives on it is that run's; on Linux only from the run's own processes, by the sender's
 * credentials). The datagram path is the shorter, so the runner's length check of the stream path
 * covers both.
 */
export class NotifyChannels {
  readonly streamPath: string;
  readonly datagramPath: string;
  #stream: NotifySocket | null = null;
  /** This run's datagram socket; `target.run` is set once the spawn has a pid. */
  #datagram: { socket: NotifyDatagramSocket; target: { run: Run | null } } | null = null;
  #support: DatagramSupport | null = null;

  constructor(
    private readonly runDir: string,
    base: string,
    private readonly sink: NotifySink,
    private readonly load: () => DatagramSupport = loadDatagramSupport,
  ) {
    this.streamPath = join(runDir, `${base}.notify.sock`);
    this.datagramPath = join(runDir, `${base}.dgram.sock`);
  }

  /**
   * Before a spawn: the stream socket (made again if a cleaner of the run directory removed its
   * file) and this run's datagram socket. Resolves with the datagram's path, or null without one.
   * Throws when the stream socket cannot be made.
   */
  async open(): Promise<string | null> {
    if (this.#stream && !existsSync(this.streamPath)) {
      await this.#stream.close();
      this.#stream = null;
      ensurePrivateDir(this.runDir);
    }
    this.#stream ??= await createNotifySocket(this.streamPath, (message) => this.sink.line(message));
    await this.#closeDatagram();
    if (this.#support === null) {
      this.#support = this.load();
      if (!this.#support.ok) this.sink.unavailable(this.#support.reason);
    }
    if (!this.#support.ok) return null;
    const target: { run: Run | null } = { run: null };
    const heard = new Set<number>();
    let socket: NotifyDatagramSocket;
    try {
      socket = createNotifyDatagram(
        this.#support,
        this.datagramPath,
        (parsed, sender) => {
          if (!target.run) return;
          const mine = isRunSender(target.run, sender, heard);
          this.sink.datagram(target.run, mine === true ? parsed : { messages: [], problems: [mine] });
        },
        (error) => this.sink.unavailable(`the datagram socket failed (${error.message}); it is bound again at the next start`),
      );
    } catch (error) {
      this.sink.unavailable(`cannot bind ${this.datagramPath}: ${(error as Error).message}`);
      return null;
    }
    this.#datagram = { socket, target };
    return this.datagramPath;
  }

  /** The run spawned with the datagram path just opened: what arrives there is its. */
  attach(run: Run): void {
    if (this.#datagram) this.#datagram.target.run = run;
  }

  /** `run` is over (its leftovers swept), or its spawn failed (null): its datagram socket goes. */
  async release(run: Run | null): Promise<void> {
    if (this.#datagram && this.#datagram.target.run === run) await this.#closeDatagram();
  }

  async close(): Promise<void> {
    await this.#closeDatagram();
    await this.#stream?.close();
    this.#stream = null;
  }

  async #closeDatagram(): Promise<void> {
    const datagram = this.#datagram;
    this.#datagram = null;
    await datagram?.socket.close();
  }
}
