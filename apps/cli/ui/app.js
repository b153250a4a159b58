/* global document, location, history, EventSource */
import { createChart, drawChart, Series } from './chart.js';
import { createLogTail } from './log-tail.js';

/*
 * The page of `svc ui`: the picture the server sends (`/api/state` once, then `/api/events`) as
 * one card per service, grouped by project; charts from the samples (chart.js); the selected
 * service's log tail (log-tail.js); and the buttons, each a POST the server records and runs. Text
 * only ever goes in as text (textContent), never as markup.
 */

const servicesRoot = document.querySelector('[data-testid="services"]');
const empty = document.querySelector('[data-testid="empty"]');
const daemonLine = document.querySelector('[data-testid="daemon"]');
const lastEvent = document.querySelector('[data-testid="last-event"]');
const tail = createLogTail(document.querySelector('[data-testid="log-pane"]'));
const series = new Series();

/** Cards by service key, project sections by id, the latest picture of each service. */
const cards = new Map();
const sections = new Map();
const services = new Map();
let selected = null;
let now = Date.now();
/** How long the first load waits before it asks again when svc ui did not answer. */
const RETRY_MS = 2000;

const ACTIONS = [
  ['restart', 'Restart', 'restarting'],
  ['reload', 'Reload', 'reloading'],
  ['stop', 'Stop', 'stopping'],
];
const FACTS = [
  ['pid', 'pid'],
  ['uptime', 'uptime'],
  ['restarts', 'restarts'],
  ['cpu', 'CPU'],
  ['memory', 'memory'],
  ['health', 'health'],
];

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function createCard(service) {
  const card = element('article', 'service');
  card.dataset.testid = 'service';
  const head = element('header', 'service-head');
  const name = element('button', 'name', service.name);
  name.type = 'button';
  name.dataset.testid = 'select';
  name.title = 'Show its log';
  name.addEventListener('click', () => select(service.key));
  const state = element('span', 'state');
  state.dataset.testid = 'state';
  head.append(element('h3', null), state);
  head.firstChild.append(name);

  const facts = element('dl', 'facts');
  const values = {};
  for (const [id, label] of FACTS) {
    const pair = element('div', `fact fact-${id}`);
    values[id] = element('dd', null);
    values[id].dataset.testid = id;
    pair.append(element('dt', null, label), values[id]);
    facts.append(pair);
  }
  const instances = element('table', 'instances');
  instances.hidden = true;
  const charts = element('div', 'charts');
  const memory = createChart('memory', 'memory-chart');
  const cpu = createChart('cpu', 'cpu-chart');
  charts.append(memory, cpu);

  const actions = element('div', 'actions');
  const buttons = {};
  for (const [action, label] of ACTIONS) {
    const button = element('button', `action action-${action}`, label);
    button.type = 'button';
    button.dataset.testid = action;
    button.addEventListener('click', () => void act(service.key, action));
    buttons[action] = button;
    actions.append(button);
  }
  const result = element('p', 'result');
  result.dataset.testid = 'result';
  result.setAttribute('role', 'status');
  card.append(head, facts, instances, charts, actions, result);
  return { card, name, state, values, instances, memory, cpu, buttons, result, busy: false };
}

function instanceRows(table, service) {
  table.hidden = service.instances.length < 2;
  if (table.hidden) return table.replaceChildren();
  const head = element('tr', null);
  for (const label of ['#', 'state', 'pid', 'uptime', 'restarts', 'CPU', 'memory', 'health']) head.append(element('th', null, label));
  const rows = service.instances.map((row) => {
    const tr = element('tr', `instance state-${row.state}`);
    tr.dataset.testid = 'instance';
    const cells = [`#${row.instance}`, row.state, row.pid ?? '-', row.text.uptime, row.restarts, row.text.cpu, row.text.memory, row.health ?? ''];
    for (const cell of cells) tr.append(element('td', null, String(cell)));
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

function updateCard(c, service) {
  c.card.dataset.service = service.name;
  c.card.dataset.project = service.project;
  c.card.dataset.state = service.state;
  c.card.classList.toggle('selected', service.key === selected);
  c.name.setAttribute('aria-pressed', String(service.key === selected));
  c.state.textContent = service.state;
  c.state.className = `state state-${service.state}`;
  c.values.pid.textContent = service.pids.length > 0 ? service.pids.join(', ') : '-';
  c.values.uptime.textContent = service.text.uptime;
  c.values.restarts.textContent = service.restarts === null ? '-' : String(service.restarts);
  c.values.cpu.textContent = service.text.cpu;
  c.values.memory.textContent = service.text.memory;
  c.values.health.textContent = service.health ?? '-';
  instanceRows(c.instances, service);
  const samples = series.of(service.key);
  drawChart(c.memory, 'memory', service.name, samples, now);
  drawChart(c.cpu, 'cpu', service.name, samples, now);
  c.buttons.restart.disabled = c.busy || !service.hosted;
  c.buttons.stop.disabled = c.busy || !service.hosted;
  // A reload without `listen` is a restart (the CLI says so too): offered only where it is not.
  c.buttons.reload.disabled = c.busy || !service.hosted || !service.listen;
  c.buttons.reload.title = service.listen ? 'Replace its instances with zero downtime' : 'Reload needs listen (a socket svc holds): Restart instead';
}

function sectionOf(project) {
  let section = sections.get(project.id);
  if (!section) {
    const node = element('section', 'project');
    node.dataset.testid = 'project';
    const heading = element('h2', null);
    const list = element('div', 'cards');
    node.append(heading, list);
    section = { node, heading, list };
    sections.set(project.id, section);
  }
  section.node.dataset.project = project.id;
  section.heading.textContent = project.label;
  section.heading.title = project.config ?? 'services started without a config file';
  return section;
}

/**
 * Puts `nodes` in this order under `parent` (after `first`, when given), moving only those out of
 * place: a node moved loses focus, and the page redraws every second.
 */
function inOrder(parent, nodes, first = null) {
  let at = first ? first.nextSibling : parent.firstChild;
  for (const node of nodes) {
    if (node !== at) parent.insertBefore(node, at);
    at = node.nextSibling;
  }
}

function render(picture) {
  now = picture.t;
  if (picture.daemon) daemonLine.textContent = `svc daemon ${picture.daemon.version}, pid ${picture.daemon.pid}`;
  else daemonLine.textContent = 'No svc daemon is running: the page follows the next one (svc start starts one).';
  daemonLine.classList.toggle('warn', picture.daemon === null);
  if (picture.problem) daemonLine.textContent += ` · ${picture.problem}`;

  const seen = new Set();
  const order = [];
  for (const project of picture.projects) {
    const section = sectionOf(project);
    order.push(section.node);
    const nodes = [];
    for (const service of project.services) {
      seen.add(service.key);
      services.set(service.key, service);
      let c = cards.get(service.key);
      if (!c) cards.set(service.key, (c = createCard(service)));
      updateCard(c, service);
      nodes.push(c.card);
    }
    inOrder(section.list, nodes);
  }
  for (const [key, c] of cards) {
    if (seen.has(key)) continue;
    c.card.remove();
    cards.delete(key);
    services.delete(key);
  }
  series.keep(seen);
  for (const [id, section] of sections) {
    if (picture.projects.some((p) => p.id === id)) continue;
    section.node.remove();
    sections.delete(id);
  }
  inOrder(servicesRoot, order, empty);
  empty.hidden = cards.size > 0;
  if (selected === null || !services.has(selected)) select(picture.projects[0]?.services[0]?.key ?? null);
  else tail.setSeveral(services.get(selected).instances.length > 1);
}

function select(key) {
  if (key === selected && key !== null) return;
  selected = key;
  for (const [k, c] of cards) {
    c.card.classList.toggle('selected', k === key);
    c.name.setAttribute('aria-pressed', String(k === key));
  }
  const service = key === null ? null : services.get(key);
  tail.setSeveral((service?.instances.length ?? 0) > 1);
  tail.follow(service ?? null);
}

async function act(key, action) {
  const service = services.get(key);
  const c = cards.get(key);
  if (!service || !c || c.busy) return;
  c.busy = true;
  updateCard(c, service);
  c.result.className = 'result busy';
  c.result.textContent = `${ACTIONS.find((a) => a[0] === action)[2]} ${service.name}…`;
  try {
    const response = await fetch('/api/action', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ project: service.project, service: service.name, action }),
    });
    const answer = await response.json();
    c.result.className = `result ${answer.ok ? 'ok' : 'error'}`;
    c.result.textContent = answer.ok ? answer.message : `✗ ${answer.error.message}`;
  } catch (error) {
    c.result.className = 'result error';
    c.result.textContent = `✗ svc ui did not answer: ${error.message}`;
  } finally {
    c.busy = false;
    updateCard(c, services.get(key) ?? service);
  }
}

function describeEvent(event) {
  const who = `${event.service}${event.instance > 0 ? `#${event.instance}` : ''}`;
  if (event.type === 'state') return `${who}: ${event.from} → ${event.to}`;
  if (event.type === 'requested') return `${who}: ${event.action} requested by ${event.by}`;
  return `${who}: ${event.type}`;
}

function listen() {
  const events = new EventSource('/api/events');
  events.addEventListener('rows', (e) => {
    const { picture, sample } = JSON.parse(e.data);
    if (sample) series.add(picture);
    render(picture);
  });
  events.addEventListener('event', (e) => {
    const event = JSON.parse(e.data);
    lastEvent.textContent = `${new Date(event.time).toLocaleTimeString([], { hour12: false })} ${describeEvent(event)}`;
  });
  events.addEventListener('error', () => {
    daemonLine.classList.add('warn');
    daemonLine.textContent =
      events.readyState === EventSource.CLOSED ? 'svc ui refused this page: open the URL svc ui printed.' : 'svc ui is not answering (was it stopped?): trying again…';
  });
}

async function start() {
  // The token did its work (the cookie holds it now): it leaves the address bar and the history.
  if (location.search !== '') history.replaceState(null, '', location.pathname);
  let response;
  try {
    response = await fetch('/api/state');
  } catch (error) {
    response = { ok: false, status: 0, statusText: error.message };
  }
  if (!response.ok) {
    daemonLine.classList.add('warn');
    if (response.status === 401) {
      daemonLine.textContent = 'svc ui needs its token: open the URL svc ui printed.';
      return;
    }
    daemonLine.textContent = `svc ui did not answer (${response.status || response.statusText}): trying again…`;
    setTimeout(() => void start(), RETRY_MS);
    return;
  }
  const { picture, history: samples } = await response.json();
  series.seed(samples);
  render(picture);
  listen();
}

void start();
