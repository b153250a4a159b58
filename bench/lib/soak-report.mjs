// The soak run's verdict: slopes and ranges after the warm-up, PASS/FAIL per criterion, the
// Markdown table and the SVG chart.
import { soakChart } from './soak-chart.mjs';
import { slope } from './soak-stats.mjs';

const MB = 2 ** 20;
const TEN_MIN_MS = 600_000;
/** The issue's bar: RSS after the warm-up grows by less than this per 10 minutes. */
const RSS_SLOPE_LIMIT_MB = 1;
/*
 * "fd count flat": the fds sampled in the last quarter after the warm-up (median) are at most this
 * many above the first quarter's. A sample can land while a status or logs client is connected or
 * an instance is being replaced, so single samples move by a few; a leak moves the median.
 */
const FD_DRIFT_LIMIT = 2;

const perTen = (points) => slope(points) * TEN_MIN_MS;
const range = (values) => (values.length ? [Math.min(...values), Math.max(...values)] : [Number.NaN, Number.NaN]);

/** The median of the first and of the last quarter of `values`, in order. */
function quarters(values, median) {
  const q = Math.max(1, Math.floor(values.length / 4));
  return { first: median(values.slice(0, q)), last: median(values.slice(-q)) };
}

function side(post, pick, median) {
  const rss = post.map((s) => ({ x: s.tMs, y: pick(s)?.rssBytes / MB })).filter((p) => Number.isFinite(p.y));
  const anon = post.map((s) => ({ x: s.tMs, y: pick(s)?.rssAnonBytes / MB })).filter((p) => Number.isFinite(p.y));
  const fds = post.map((s) => pick(s)?.fds).filter(Number.isFinite);
  const children = post.map((s) => pick(s)?.children).filter(Number.isFinite);
  // CPU after the warm-up, as a share of one core (one process throughout: the first and last sample of the same pid).
  const cpu = post.filter((s) => Number.isFinite(pick(s)?.cpuMs) && pick(s)?.pid === pick(post.at(-1))?.pid);
  const cpuPercent = cpu.length > 1 ? ((pick(cpu.at(-1)).cpuMs - pick(cpu[0]).cpuMs) / (cpu.at(-1).tMs - cpu[0].tMs)) * 100 : Number.NaN;
  return {
    cpuPercent,
    rssSlopeMbPer10Min: perTen(rss),
    rssAnonSlopeMbPer10Min: perTen(anon),
    rssMb: range(rss.map((p) => p.y)),
    fds: range(fds),
    fdQuarters: quarters(fds, median),
    fdSlopePer10Min: perTen(post.map((s) => ({ x: s.tMs, y: pick(s)?.fds })).filter((p) => Number.isFinite(p.y))),
    children: range(children),
  };
}

export function soakReport(results, { median }) {
  const { samples, settings, tallies, lines, requests, orphans, events } = results;
  const post = samples.filter((s) => s.tMs >= settings.warmupMs);
  const svc = side(post, (s) => s.svc, median);
  const pm2 = side(post, (s) => s.pm2, median);
  // RSS right after each fall of more than 20 % between two samples (a major GC giving memory
  // back): a leak raises these floors, a heap that V8 lets grow between collections does not.
  svc.rssAfterDrops = samples
    .filter((s, i) => i > 0 && samples[i - 1].svc.rssBytes - s.svc.rssBytes > 0.2 * samples[i - 1].svc.rssBytes)
    .map((s) => ({ atMin: Number((s.tMs / 60_000).toFixed(1)), rssMb: Number((s.svc.rssBytes / MB).toFixed(1)) }));
  const heapTotals = post.map((s) => s.svc.metrics?.heapTotalBytes / MB).filter(Number.isFinite);
  svc.heapTotalMb = range(heapTotals);
  svc.externalMb = range(post.map((s) => s.svc.metrics?.externalBytes / MB).filter(Number.isFinite));
  // The heap in use: a leak makes it grow from collection to collection; its slope and its floors
  // (the least in each tenth of the run) tell that apart from RSS that V8 keeps reserved.
  const heap = post.map((s) => ({ x: s.tMs, y: s.svc.metrics?.heapUsedBytes / MB })).filter((p) => Number.isFinite(p.y));
  svc.heapUsedSlopeMbPer10Min = perTen(heap);
  const tenth = Math.max(1, Math.floor(heap.length / 10));
  svc.heapUsedFloorsMb = Array.from({ length: Math.ceil(heap.length / tenth) }, (_, i) => Number(Math.min(...heap.slice(i * tenth, (i + 1) * tenth).map((p) => p.y)).toFixed(1)));
  const lags = post.map((s) => s.svc.metrics).filter((m) => m && Number.isFinite(m.lagP99Ms));
  svc.lagP99MsMax = Math.max(...lags.map((m) => m.lagP99Ms));
  svc.lagMaxMsMax = Math.max(...lags.map((m) => m.lagMaxMs));
  svc.lagP99MsMedian = median(lags.map((m) => m.lagP99Ms));
  const lost = lines.lostInGaps + lines.lostAtEnd;
  const minutes = results.actualDurationMs / 60_000;
  const reloadsFailed = tallies.reloads.filter((r) => !r.ok).length;
  const criteria = [
    { name: 'svc daemon RSS slope after warm-up', value: `${svc.rssSlopeMbPer10Min.toFixed(3)} MB / 10 min`, target: `< ${RSS_SLOPE_LIMIT_MB} MB / 10 min`, pass: svc.rssSlopeMbPer10Min < RSS_SLOPE_LIMIT_MB },
    { name: 'svc daemon fds flat after warm-up', value: `min ${svc.fds[0]}, max ${svc.fds[1]}; median first quarter ${svc.fdQuarters.first}, last quarter ${svc.fdQuarters.last}`, target: `last ≤ first + ${FD_DRIFT_LIMIT}`, pass: svc.fdQuarters.last <= svc.fdQuarters.first + FD_DRIFT_LIMIT },
    { name: 'log lines lost / duplicated (while followed)', value: `${lost} / ${lines.duplicated} of ${lines.written} written (${lines.read} read${lines.toldSkipped ? `; ${lines.toldSkipped} left out of the follower while it fell behind, each told` : ''}${lines.unmatchedNotices?.length ? `; ${lines.unmatchedNotices.length} notices matched no gap` : ''})`, target: '0 / 0', pass: lost === 0 && lines.duplicated === 0 && lines.written > 0 && !lines.unmatchedNotices?.length },
    { name: '`svc logs -f` stayed connected', value: `${lines.followerCuts.length} cut-offs${lines.followerCuts.length ? ` (${lines.missedWhileCut} lines written while a new follower connected)` : ''}`, target: '0', pass: lines.followerCuts.length === 0 },
    { name: 'failed requests (reloads every 30 s)', value: `${requests.failed} of ${requests.ok + requests.failed}; reloads ${tallies.reloads.length - reloadsFailed} ok, ${reloadsFailed} failed`, target: '0', pass: requests.failed === 0 && reloadsFailed === 0 && tallies.reloads.length > 0 },
    { name: 'orphans at the end', value: String(orphans.length), target: '0', pass: orphans.length === 0 },
  ];
  // Per flap: did the leader lose the lease, and how long after the flap ended did it hold it again.
  const flaps = tallies.flaps.map((f, i) => {
    const end = f.atMs + (f.kind === 'pause' ? settings.flapPauseMs : 0);
    const until = tallies.flaps[i + 1]?.atMs ?? Number.POSITIVE_INFINITY;
    const within = events.lease.filter((e) => e.atMs >= f.atMs && e.atMs < until);
    const lost = within.find((e) => e.type === 'lease-lost');
    const back = within.find((e) => e.type === 'lease-acquired' && (!lost || e.atMs >= lost.atMs));
    return { ...f, lostAfterMs: lost ? Math.round(lost.atMs - f.atMs) : null, reacquiredAfterEndMs: back ? Math.round(back.atMs - end) : null };
  });
  const summary = {
    actualMinutes: minutes,
    svc,
    pm2,
    lines: { written: lines.written, read: lines.read, lost, duplicated: lines.duplicated, ratePerSecond: lines.ratePerSecond },
    requests,
    reloads: { ok: tallies.reloads.length - reloadsFailed, failed: reloadsFailed, medianMs: median(tallies.reloads.map((r) => r.ms)) },
    statusClients: { ok: tallies.status.ok, failed: tallies.status.failed.length },
    logsClients: { ok: tallies.logsClients.ok, failed: tallies.logsClients.failed.length },
    pm2List: { ok: tallies.pm2List.ok, failed: tallies.pm2List.failed.length },
    crasher: { svcExits: events.crasherExits, svcGaveUp: events.crasherGaveUp, pm2Restarts: results.pm2Apps.find((a) => a.name === 'crasher')?.restarts },
    lease: { flaps, ...events.leaseCounts },
    daemonPids: results.daemonPids,
    criteria,
    pass: criteria.every((c) => c.pass),
  };

  const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : '—');
  const f3 = (n) => (Number.isFinite(n) ? n.toFixed(3) : '—');
  const out = [
    `soak: ${minutes.toFixed(1)} min (DURATION ${+(settings.durationMs / 60_000).toFixed(2)} min${settings.smoke ? ', --smoke' : ''}), sampled every ${settings.sampleMs / 1000} s (${samples.length} samples), warm-up ${+(settings.warmupMs / 60_000).toFixed(2)} min; ` +
      `node ${process.version}, PM2 ${results.pm2}, svc CLI build ${results.cliBuild.digest}, ${results.cpus} CPUs, load average ${f1(median(samples.map((s) => s.loadavg)))} (median of the samples)`,
    '',
    '| criterion | measured | target | result |',
    '| --- | --- | --- | --- |',
    ...criteria.map((c) => `| ${c.name} | ${c.value} | ${c.target} | ${c.pass ? 'PASS' : 'FAIL'} |`),
    '',
    '| after warm-up | svc daemon | PM2 daemon (God) |',
    '| --- | --- | --- |',
    `| RSS slope, MB / 10 min | ${f3(svc.rssSlopeMbPer10Min)} | ${f3(pm2.rssSlopeMbPer10Min)} |`,
    `| RssAnon (heap and other private memory) slope, MB / 10 min | ${f3(svc.rssAnonSlopeMbPer10Min)} | ${f3(pm2.rssAnonSlopeMbPer10Min)} |`,
    `| RSS min – max, MB | ${f1(svc.rssMb[0])} – ${f1(svc.rssMb[1])} | ${f1(pm2.rssMb[0])} – ${f1(pm2.rssMb[1])} |`,
    `| V8 heap in use: slope, MB / 10 min; least in each tenth, MB | ${f3(svc.heapUsedSlopeMbPer10Min)}; ${svc.heapUsedFloorsMb.join(', ')} | — |`,
    `| V8 heap reserved, min – max, MB | ${f1(svc.heapTotalMb[0])} – ${f1(svc.heapTotalMb[1])} | — |`,
    `| outside the heap (Buffers…), min – max, MB | ${f1(svc.externalMb[0])} – ${f1(svc.externalMb[1])} | — |`,
    `| CPU, % of one core | ${f1(svc.cpuPercent)} | ${f1(pm2.cpuPercent)} |`,
    `| RSS right after each fall of > 20 % (minute: MB) | ${svc.rssAfterDrops.map((d) => `${d.atMin}: ${d.rssMb}`).join(', ') || 'none'} | — |`,
    `| open fds min – max (slope / 10 min) | ${svc.fds[0]} – ${svc.fds[1]} (${f3(svc.fdSlopePer10Min)}) | ${pm2.fds[0]} – ${pm2.fds[1]} (${f3(pm2.fdSlopePer10Min)}) |`,
    `| processes below it, min – max | ${svc.children[0]} – ${svc.children[1]} | ${pm2.children[0]} – ${pm2.children[1]} |`,
    `| crasher: exits (svc) / restarts (PM2); gave up | ${events.crasherExits}; gave up ${events.crasherGaveUp} | ${summary.crasher.pm2Restarts} |`,
    `| status clients ok / failed | svc status --json: ${tallies.status.ok} / ${tallies.status.failed.length} | pm2 jlist: ${tallies.pm2List.ok} / ${tallies.pm2List.failed.length} |`,
    `| event-loop lag p99 (median, worst), max (worst), ms | ${f1(svc.lagP99MsMedian)}, ${f1(svc.lagP99MsMax)}; ${f1(svc.lagMaxMsMax)} | — |`,
    '',
    `svc only: ${lines.written} numbered lines written (${f1(summary.lines.ratePerSecond)}/s), ${lines.read} read back by one \`svc logs logger -f\`; ` +
      `${tallies.logsClients.ok} short \`svc logs crasher -f\` clients ok, ${tallies.logsClients.failed.length} failed; ` +
      `${tallies.reloads.length} reloads (median ${summary.reloads.medianMs} ms) under ${settings.connections} keep-alive connections, ${requests.ok} requests answered; ` +
      `lease flapped ${flaps.length} times (${flaps.filter((f) => f.lostAfterMs !== null).length} losses seen, held again ${f1(median(flaps.map((f) => f.reacquiredAfterEndMs).filter(Number.isFinite)))} ms after the flap ended, median; worst ${f1(Math.max(...flaps.map((f) => f.reacquiredAfterEndMs).filter(Number.isFinite)))} ms): ` +
      `${Object.entries(events.leaseCounts).map(([k, v]) => `${k} ${v}`).join(', ')}; daemon pid(s) ${results.daemonPids.join(', ')}.`,
  ];
  if (results.leftoverProblems.length > 0) out.push('', `Cleanup: ${results.leftoverProblems.join('; ')}`);

  const x = (s) => s.tMs / 60_000;
  const series = (label, colour, pick) => ({ label, colour, points: samples.map((s) => ({ x: x(s), y: pick(s) })) });
  const chart = soakChart({
    title: `svc soak: ${minutes.toFixed(1)} min of churn, sampled every ${settings.sampleMs / 1000} s`,
    subtitle: `RSS slope after warm-up: svc daemon ${f3(svc.rssSlopeMbPer10Min)} MB / 10 min, PM2 daemon ${f3(pm2.rssSlopeMbPer10Min)} MB / 10 min (crash churn at the same time)`,
    xMax: Math.max(...samples.map(x)),
    warmupMin: settings.warmupMs / 60_000,
    panels: [
      { title: 'Daemon memory', unit: 'MB', fromZero: true, series: [series('svc daemon RSS', '#1f77b4', (s) => s.svc.rssBytes / MB), series('svc daemon RssAnon', '#6baed6', (s) => s.svc.rssAnonBytes / MB), series('svc V8 heap reserved', '#9467bd', (s) => s.svc.metrics?.heapTotalBytes / MB), series('svc V8 heap in use', '#c5b0d5', (s) => s.svc.metrics?.heapUsedBytes / MB), series('PM2 daemon RSS', '#d62728', (s) => s.pm2.rssBytes / MB)] },
      { title: 'Daemon open file descriptors', unit: 'fds', fromZero: true, series: [series('svc daemon', '#1f77b4', (s) => s.svc.fds), series('PM2 daemon', '#d62728', (s) => s.pm2.fds)] },
      { title: 'svc daemon event-loop lag (last minute)', unit: 'ms', fromZero: true, series: [series('p99', '#2ca02c', (s) => s.svc.metrics?.lagP99Ms), series('max', '#98df8a', (s) => s.svc.metrics?.lagMaxMs)] },
    ],
  });
  return { table: out.join('\n'), chart, summary };
}
