/* global document, EventSource */

/*
 * The log tail of the selected service: its stdout and stderr (stderr marked err) and its
 * supervisor events (svc), from one stream (`/api/logs`), which starts with the lines the daemon
 * keeps and then follows. The stream ends when the service stops or the daemon goes away; the
 * browser asks again by itself (the server's `retry`) and the tail starts over when it answers.
 * Lines are added in batches and the last LOG_KEEP are kept; the tail stays at its bottom unless
 * the reader scrolled up.
 */

const LOG_KEEP = 1000;
const BATCH_MS = 100;

const time = (iso) => (typeof iso === 'string' && iso.length >= 19 ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '');

export function createLogTail(root) {
  const title = root.querySelector('[data-testid="log-title"]');
  const note = root.querySelector('[data-testid="log-note"]');
  const list = root.querySelector('[data-testid="log-lines"]');
  let source = null;
  let pending = [];
  let timer = null;
  let several = false;

  const line = (entry) => {
    const li = document.createElement('li');
    li.className = `log-line ${entry.kind}`;
    li.dataset.kind = entry.kind;
    if (entry.time) li.dataset.time = entry.time;
    const at = document.createElement('time');
    at.textContent = time(entry.time);
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = several && entry.instance !== null ? `${entry.kind}#${entry.instance}` : entry.kind;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = entry.text;
    li.append(at, kind, text);
    return li;
  };

  const flush = () => {
    timer = null;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 8;
    for (const entry of pending) {
      const li = line(entry);
      // In time order: the output's and the events' first lines come one stream after the other.
      let before = list.lastElementChild;
      while (before && entry.time && before.dataset.time > entry.time) before = before.previousElementSibling;
      if (before) before.after(li);
      else list.prepend(li);
    }
    pending = [];
    while (list.childElementCount > LOG_KEEP) list.firstElementChild.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
  };

  const add = (entry) => {
    pending.push(entry);
    if (pending.length > LOG_KEEP) pending.splice(0, pending.length - LOG_KEEP);
    timer ??= setTimeout(flush, BATCH_MS);
  };

  const clear = () => {
    pending = [];
    list.replaceChildren();
  };

  return {
    /** Follows `service` (a service picture), or nothing (null). */
    follow(service) {
      source?.close();
      source = null;
      clear();
      note.textContent = '';
      if (!service) {
        title.textContent = 'Log';
        return;
      }
      title.textContent = `Log · ${service.name}`;
      const query = new URLSearchParams({ project: service.project, service: service.name });
      const es = new EventSource(`/api/logs?${query}`);
      source = es;
      es.addEventListener('start', () => {
        clear();
        note.textContent = '';
      });
      es.addEventListener('log', (e) => add(JSON.parse(e.data)));
      es.addEventListener('note', (e) => (note.textContent = JSON.parse(e.data).text));
      es.addEventListener('error', () => {
        if (es.readyState === EventSource.CLOSED) note.textContent = 'svc ui refused this page: open the URL svc ui printed';
      });
    },
    /** Whether the followed service runs several instances (lines then name theirs). */
    setSeveral(value) {
      several = value;
    },
  };
}
