/* global document */

/*
 * The charts: per service, its instances' CPU and memory over the last hour, as inline SVG. The
 * samples come from the daemon's history (one per 10 s, given once at load) and then from the
 * live picture (one per second); an hour is kept. A chart draws at most CHART.buckets points per
 * instance (the last sample of each slice of its span), and says in words what it shows
 * (aria-label): the latest value, the peak and how many samples it holds.
 */

export const HOUR_MS = 3_600_000;
const CHART = { width: 240, height: 48, buckets: 240 };
const MIN_SPAN_MS = 20_000;
const SVG = 'http://www.w3.org/2000/svg';

/** Samples per service key, per instance: [{ t, pid, cpu, memory }], oldest first. */
export class Series {
  #byService = new Map();

  #samples(key, instance) {
    let instances = this.#byService.get(key);
    if (!instances) this.#byService.set(key, (instances = new Map()));
    let samples = instances.get(instance);
    if (!samples) instances.set(instance, (samples = []));
    return samples;
  }

  /** The daemon's history: [{ project, service, instance, samples }]. */
  seed(history) {
    for (const entry of history) {
      const samples = this.#samples(`${entry.project}\u0000${entry.service}`, entry.instance);
      for (const s of entry.samples) samples.push({ t: s.t, pid: s.pid, cpu: s.cpu, memory: s.memory });
    }
  }

  /** One live sample of every instance in the picture. */
  add(picture) {
    const from = picture.t - HOUR_MS;
    for (const project of picture.projects) {
      for (const service of project.services) {
        for (const row of service.instances) {
          const samples = this.#samples(service.key, row.instance);
          samples.push({ t: picture.t, pid: row.pid, cpu: row.cpuPercent, memory: row.memoryBytes });
          while (samples.length > 0 && samples[0].t < from) samples.shift();
        }
      }
    }
  }

  /** Forgets the services not among `keys` (no longer listed). */
  keep(keys) {
    for (const key of this.#byService.keys()) if (!keys.has(key)) this.#byService.delete(key);
  }

  /** Map of instance → samples of one service (empty when none were taken). */
  of(key) {
    return this.#byService.get(key) ?? new Map();
  }
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '-';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export const formatCpu = (cpu) => (cpu === null || cpu === undefined ? '-' : `${cpu.toFixed(cpu >= 10 ? 0 : 1)}%`);

const METRICS = {
  memory: { label: 'Memory', pick: (s) => s.memory, format: formatBytes, floor: 1024 * 1024 },
  cpu: { label: 'CPU', pick: (s) => s.cpu, format: formatCpu, floor: 100 },
};

/** An empty chart: a <figure> with its caption and SVG, filled in by drawChart. */
export function createChart(metric, testId) {
  const figure = document.createElement('figure');
  figure.className = `chart chart-${metric}`;
  const caption = document.createElement('figcaption');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${CHART.width} ${CHART.height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.dataset.testid = testId;
  figure.append(caption, svg);
  return figure;
}

/** The points of one instance: the last sample per slice of the span, null values breaking the line. */
function bucketed(samples, from, span, pick) {
  const slice = span / CHART.buckets;
  const points = [];
  for (const s of samples) {
    if (s.t < from) continue;
    const bucket = Math.floor((s.t - from) / slice);
    const value = pick(s);
    if (points.length > 0 && points.at(-1).bucket === bucket) points[points.length - 1] = { bucket, t: s.t, value };
    else points.push({ bucket, t: s.t, value });
  }
  return points;
}

/** How a span reads: `last hour`, `last 12 min`, `last 40 s`. */
function spanText(span) {
  if (span >= HOUR_MS) return 'last hour';
  return span < 60_000 ? `last ${Math.round(span / 1000)} s` : `last ${Math.round(span / 60_000)} min`;
}

/**
 * Draws `metric` of one service (instances: Map of instance → samples) up to `now`: over the last
 * hour, or since the first sample when there is less (at least MIN_SPAN_MS), so a service started
 * a minute ago does not show as a sliver at the right edge.
 */
export function drawChart(figure, metric, name, instances, now) {
  const { label, pick, format, floor } = METRICS[metric];
  const first = Math.min(...[...instances.values()].map((samples) => samples[0]?.t ?? now));
  const span = Math.min(HOUR_MS, Math.max(MIN_SPAN_MS, now - first));
  const from = now - span;
  let count = 0;
  let peak = null;
  let latest = null;
  const lines = [];
  for (const [instance, samples] of [...instances].sort((a, b) => a[0] - b[0])) {
    const points = bucketed(samples, from, span, pick);
    count += samples.length;
    for (const s of samples) if (s.t >= from && pick(s) !== null) peak = Math.max(peak ?? 0, pick(s));
    const last = samples.at(-1);
    if (last && pick(last) !== null) latest = (latest ?? 0) + pick(last);
    lines.push({ instance, points });
  }
  const top = Math.max(peak ?? 0, floor) * 1.1;
  const x = (t) => (((t - from) / span) * CHART.width).toFixed(1);
  const y = (v) => (CHART.height - 1 - (v / top) * (CHART.height - 2)).toFixed(1);
  const svg = figure.querySelector('svg');
  svg.replaceChildren();
  for (const { instance, points } of lines) {
    let d = '';
    let pen = false;
    for (const p of points) {
      if (p.value === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.t)} ${y(p.value)} `;
      pen = true;
    }
    if (d === '') continue;
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d.trim());
    path.setAttribute('class', `line instance-${instance % 4}`);
    svg.append(path);
  }
  svg.dataset.samples = String(count);
  svg.dataset.latest = latest === null ? '' : String(latest);
  const words = latest === null ? 'no value now' : `${format(latest)} now`;
  svg.setAttribute('aria-label', `${label} of ${name} over the ${spanText(span)}: ${words}, peak ${format(peak)}, ${count} samples`);
  figure.querySelector('figcaption').textContent = `${label} · ${latest === null ? '-' : format(latest)} (${spanText(span)}, peak ${format(peak)})`;
}
