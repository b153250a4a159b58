import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A watcher that kills what this process supervises if this process dies without stopping it
 * (SIGKILL, OOM killer, a crash in native code), so no service lives on as an orphan.
 *
 * How: one `/bin/sh` per supervising process (about 1 MB), in its own session, reading
 * commands from a pipe whose write end only this process holds. `+ <target>` adds a target
 * (`-<pgid>` for a process group, `<pid>` for one process), `- <target>` removes it; `+m <marker>`
 * and `-m <marker>` do the same for an environment marker (`SVC_INSTANCE_ID=…`); `q` quits
 * without killing. When the pipe reaches EOF — which the kernel guarantees as soon as this process
 * is gone, however it died — the watcher looks, at that moment, for every process whose
 * environment carries one of the markers (one `grep` over /proc/<pid>/environ, so a `setsid`
 * grandchild started a moment ago is found too), sends SIGTERM to them and to every target,
 * waits one second, looks again and sends SIGKILL. Limits: a process that escaped its group and
 * replaced its environment (`env -i`) before the end is not covered; killing the watcher itself
 * disables the guard; pids are signalled without a start-time check, so a pid reused within that
 * second could be hit (targets are removed as soon as the supervisor reaps them).
 * (dash's `kill` takes no `--`: a negative number after the signal is read as a group.)
 * On Windows there is no /bin/sh: the guard is disabled and Job Objects would be the tool.
 */
const SCRIPT = `
r="$1"
t=' '
k=' '
while IFS= read -r l; do
  case "$l" in
    '+ '*) t="$t\${l#+ } " ;;
    '- '*) x="\${l#- }"; case "$t" in *" $x "*) t="\${t%%" $x "*} \${t#*" $x "}" ;; esac ;;
    '+m '*) k="$k\${l#+m } " ;;
    '-m '*) x="\${l#-m }"; case "$k" in *" $x "*) k="\${k%%" $x "*} \${k#*" $x "}" ;; esac ;;
    q) exit 0 ;;
  esac
done
[ "$t" = ' ' ] && [ "$k" = ' ' ] && exit 0
found() {
  [ "$k" = ' ' ] && return 0
  set --
  for x in $k; do set -- "$@" -e "$x"; done
  grep -lzxF "$@" /proc/[0-9]*/environ 2>/dev/null | while IFS= read -r f; do f="\${f#/proc/}"; echo "\${f%/environ}"; done
}
nameof() {
  n=$(tr '\\0' '\\n' < "/proc/$1/environ" 2>/dev/null | sed -n 's/^SVC_SERVICE_NAME=//p')
  case "$n" in ''|*[!A-Za-z0-9._-]*) n='?' ;; esac
  echo "$n"
}
# Every process as "pid ppid state start": the fields after the last ") " of /proc/<pid>/stat.
table() {
  for f in /proc/[0-9]*/stat; do
    IFS= read -r l < "$f" 2>/dev/null || continue
    set -- \${l##*) }
    echo "\${l%% *} $2 $1 \${20}"
  done
}
# m: " pid:name " for the marked processes and every descendant of theirs, whatever its
# environment (one that changed user cannot be read) or session.
tree() {
  m=' '
  for p in $(found); do m="$m$p:$(nameof "$p") "; done
  tb=$(table)
  while :; do
    a=$(echo "$tb" | while read -r c pp st s; do
      case "$m" in *" $c:"*) continue ;; esac
      case "$m" in *" $pp:"*) x="\${m#*" $pp:"}"; echo "$c:\${x%% *}" ;; esac
    done)
    [ -z "$a" ] && break
    for x in $a; do m="$m$x "; done
  done
}
tree
for p in $t \${m}; do kill -TERM "\${p%%:*}" 2>/dev/null; done
sleep 1
o="$m"
tree
for x in $o; do case "$m" in *" $x "*) ;; *) m="$m$x " ;; esac; done
for p in $t $m; do kill -KILL "\${p%%:*}" 2>/dev/null; done
[ -z "$r" ] && exit 0
# What could not be ended (another user's process): "pid start name", for svc status to tell.
i=0
while [ $i -lt 20 ]; do
  w=$(table | while read -r c pp st s; do [ "$st" = Z ] && continue; case "$m" in *" $c:"*) x="\${m#*" $c:"}"; echo "$c $s \${x%% *}" ;; esac; done)
  [ -z "$w" ] && exit 0
  sleep 0.1
  i=$((i + 1))
done
echo "$w" > "$r.$$" && mv -f "$r.$$" "$r"
`;

export interface OrphanGuard {
  readonly pid: number | null;
  /** Process group of `pgid` (signalled as -pgid). */
  addGroup(pgid: number): void;
  removeGroup(pgid: number): void;
  addPid(pid: number): void;
  removePid(pid: number): void;
  /** Processes whose environment has this `NAME=value` entry (found when the guard acts). */
  addMarker(marker: string): void;
  removeMarker(marker: string): void;
  /** Stops the watcher without killing anything; resolves once its process has exited (at most 2 s). */
  close(): Promise<void>;
}

/** How long `close()` waits for the watcher's process to exit. */
const CLOSE_WAIT_MS = 2_000;

export interface OrphanGuardOptions {
  shell?: string;
  /**
   * Where the watcher, once it has acted, lists the processes it could not end (`pid start-time
   * service` per line; another user's processes: a child that ran a setuid program). Not written
   * when it ended everything. See `unendedOf` (leftovers.ts).
   */
  reportFile?: string;
}

export function createOrphanGuard(options: OrphanGuardOptions = {}): OrphanGuard {
  if (process.platform === 'win32') return disabledGuard();
  const child: ChildProcess = spawn(options.shell ?? '/bin/sh', ['-c', SCRIPT, 'svc-orphan-guard', options.reportFile ?? ''], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.unref();
  const stdin = child.stdin!;
  // The pipe must not keep this process alive, and a dead watcher must not crash it.
  (stdin as unknown as { unref?: () => void }).unref?.();
  stdin.on('error', () => {
    // EPIPE when the watcher was killed from outside: the guard is gone, supervision goes on.
  });
  // Settles when the watcher's process is gone (or could not start): close() waits for it, so that
  // a daemon that has exited leaves no guard behind it either.
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  child.on('error', () => {
    // No /bin/sh: the guard cannot run; stop() still kills everything, only the crash case is uncovered.
  });
  let closed = false;
  const send = (line: string) => {
    if (!closed && stdin.writable) stdin.write(`${line}\n`);
  };
  return {
    pid: child.pid ?? null,
    addGroup: (pgid) => send(`+ -${pgid}`),
    removeGroup: (pgid) => send(`- -${pgid}`),
    addPid: (pid) => send(`+ ${pid}`),
    removePid: (pid) => send(`- ${pid}`),
    addMarker: (marker) => {
      // A marker is one word (it travels in a space-separated list): NAME=value without spaces.
      if (/^[A-Za-z_][A-Za-z0-9_]*=[!-~]+$/.test(marker)) send(`+m ${marker}`);
    },
    removeMarker: (marker) => send(`-m ${marker}`),
    close() {
      if (!closed) {
        send('q');
        closed = true;
        stdin.end();
      }
      // Held (ref'd) while we wait: with nothing else left, the loop must not end before its exit.
      child.ref();
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
      return Promise.race([gone, bound]).finally(() => {
        clearTimeout(timer);
        child.unref();
      });
    },
  };
}

function disabledGuard(): OrphanGuard {
  const nothing = () => undefined;
  return { pid: null, addGroup: nothing, removeGroup: nothing, addPid: nothing, removePid: nothing, addMarker: nothing, removeMarker: nothing, close: () => Promise.resolve() };
}
