import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageBlocks } from '../../../tooling/doc-blocks.js';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { dataPanels, labelValuesQuery, OBSERVABILITY, readDashboard, svcSeries, variablesUsed } from './helpers/dashboard.js';
import { REPO } from './helpers/paths.js';

/*
 * What observability/ ships, checked without servers: the rules with promtool, the dashboard's
 * structure as Grafana needs it, and both against the documented series.
 * observability-prometheus.test.ts runs them against real ones.
 */

const RULES_DIR = path.join(OBSERVABILITY, 'prometheus');
const GUIDE = path.join(REPO, 'docs/guides/observability.md');

function promtool(args: string[]): { code: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: RULES_DIR, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The series the docs list: the daemon's (supervisor.md) and the request metrics (health.md). */
function documentedSeries(): Set<string> {
  const daemon = readMarkdownTable(path.join(REPO, 'docs/packages/supervisor.md'), 'Metrics').flatMap((row) => row.series!.split(/,\s*/));
  const requests = readMarkdownTable(path.join(REPO, 'docs/packages/health.md'), 'Request metrics').map((row) => row.metric!);
  return new Set([...daemon, ...requests]);
}

/** A histogram's own name for its `_bucket`, `_sum` and `_count` series. */
const family = (series: string, documented: Set<string>) => {
  const base = series.replace(/_(bucket|sum|count)$/, '');
  return documented.has(base) ? base : series;
};

describe('the alert rules', () => {
  it('pass promtool check rules', () => {
    const { code, output } = promtool(['check', 'rules', 'alerts.yml']);
    expect(output).toContain('SUCCESS');
    expect(code, output).toBe(0);
  });

  it('pass their unit tests: each alert fires on its fault and stays quiet beside it', () => {
    const { code, output } = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS');
    // Every alert of the file has a test.
    const alerts = [...readFileSync(path.join(RULES_DIR, 'alerts.yml'), 'utf8').matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);
    const tested = new Set([...readFileSync(path.join(RULES_DIR, 'alerts.test.yml'), 'utf8').matchAll(/^\s*alertname: (\w+)$/gm)].map((m) => m[1]));
    expect(alerts).toEqual(['SvcDaemonDown', 'SvcServiceDown', 'SvcServiceCrashLooping', 'SvcServiceMemoryNearLimit', 'SvcHttpErrorRatioHigh']);
    for (const alert of alerts) expect(tested, alert).toContain(alert);
  });

  it('the example scrape config passes promtool check config, with the rules it loads', () => {
    const { code, output } = promtool(['check', 'config', 'prometheus.example.yml']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/SUCCESS: 1 rule files found/);
  });

  it('read only documented svc series', () => {
    const documented = documentedSeries();
    const text = readFileSync(path.join(RULES_DIR, 'alerts.yml'), 'utf8');
    // `svc_service_*` in a comment is a family, not a series.
    const read = svcSeries(text).filter((s) => !s.endsWith('_'));
    expect(read.length).toBeGreaterThan(0);
    for (const series of read) expect(documented, series).toContain(family(series, documented));
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = readDashboard();
  const panels = dataPanels(dashboard);
  const variables = dashboard.templating.list;

  it('is a dashboard model Grafana 10.4 and later import: schema, uid, unique panel ids, a grid without overlaps', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    const all = [...dashboard.panels, ...dashboard.panels.flatMap((p) => p.panels ?? [])];
    const ids = all.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of all) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.gridPos.w * p.gridPos.h, p.title).toBeGreaterThan(0);
    }
    for (const [i, a] of all.entries()) {
      for (const b of all.slice(i + 1)) {
        const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `"${a.title}" and "${b.title}" overlap`).toBe(true);
      }
    }
  });

  it('every panel queries the data source variable, with at least one PromQL target and unique refIds', () => {
    const source = { type: 'prometheus', uid: '${datasource}' };
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(source);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets!) {
        expect(target.datasource, `${panel.title} ${target.refId}`).toEqual(source);
        expect(target.expr.trim(), `${panel.title} ${target.refId}`).not.toBe('');
      }
    }
  });

  it('defines each variable it uses, uses each it defines, and resolves each from the ones before it', () => {
    const names = variables.map((v) => v.name);
    expect(names).toEqual(['datasource', 'project', 'service', 'instance', 'job', 'server']);
    const exprs = panels.flatMap((p) => p.targets!.map((t) => t.expr));
    const used = new Set([...exprs.flatMap(variablesUsed), ...panels.flatMap((p) => variablesUsed(JSON.stringify(p.datasource)))]);
    for (const [i, variable] of variables.entries()) {
      expect(used, `$${variable.name} is defined but no panel uses it`).toContain(variable.name);
      if (variable.type === 'datasource') continue;
      expect(variable.type).toBe('query');
      expect(variable.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      // Several values, or All: the panels match them with =~, so All must be a regex.
      expect(variable).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
      const { selector } = labelValuesQuery(variable);
      for (const name of variablesUsed(selector)) expect(names.slice(0, i), `$${variable.name} uses $${name}`).toContain(name);
    }
    for (const name of used) expect(names, `$${name} is used but not defined`).toContain(name);
  });

  it('filters every service panel by project, service and instance, and every server panel by job and server', () => {
    for (const panel of panels) {
      for (const target of panel.targets!) {
        const what = `${panel.title} ${target.refId}: ${target.expr}`;
        if (/svc_service_/.test(target.expr)) {
          for (const v of ['project', 'service', 'instance']) expect(target.expr, what).toContain(`${v}=~"$${v}"`);
        }
        if (/svc_health_|nodejs_/.test(target.expr)) {
          expect(target.expr, what).toContain('job=~"$job",instance=~"$server"');
        }
      }
    }
  });

  it('reads only documented svc series', () => {
    const documented = documentedSeries();
    const read = new Set(panels.flatMap((p) => p.targets!.flatMap((t) => svcSeries(t.expr))));
    for (const series of read) expect(documented, series).toContain(family(series, documented));
    // Each thing the issue asks for has its series on the dashboard.
    for (const series of [
      'svc_service_up',
      'svc_service_state',
      'svc_service_restarts_total',
      'svc_service_crashes_total',
      'svc_service_memory_bytes',
      'svc_service_cpu_percent',
      'svc_service_time_to_ready_seconds',
      'svc_health_http_requests_total',
      'svc_health_http_request_duration_seconds_bucket',
      'svc_health_http_requests_in_flight',
      'svc_health_http_open_connections',
    ]) {
      expect(read, series).toContain(series);
    }
  });
});

describe('the observability guide is in step with what ships', () => {
  it('shows prometheus.example.yml as it is', () => {
    const blocks = pageBlocks('guides/observability.md').filter((b) => b.title === 'prometheus.example.yml');
    expect(blocks).toHaveLength(1);
    expect(`${blocks[0]!.code}\n`).toBe(readFileSync(path.join(RULES_DIR, 'prometheus.example.yml'), 'utf8'));
  });

  it('lists every alert with its for and severity', () => {
    const text = readFileSync(path.join(RULES_DIR, 'alerts.yml'), 'utf8');
    const rules = text
      .split(/^\s*- alert: /m)
      .slice(1)
      .map((chunk) => ({
        alert: /^\w+/.exec(chunk)![0],
        // No for: the alert fires at its first evaluation.
        for: /^\s*for: (\S+)$/m.exec(chunk.split(/^\s*- (alert|record): /m)[0]!)?.[1] ?? '0s',
        severity: /^\s*severity: (\w+)$/m.exec(chunk)![1],
      }));
    const table = readMarkdownTable(GUIDE, 'Alert rules').map((row) => ({ alert: row.alert, for: row.for, severity: row.severity }));
    expect(table).toEqual(rules);
  });

  it('lists the dashboard’s variables, and its panels in order, under their rows', () => {
    const dashboard = readDashboard();
    expect(readMarkdownTable(GUIDE, 'Variables').map((row) => row.variable)).toEqual(dashboard.templating.list.map((v) => v.name));
    let row = '';
    const panels: Array<[string, string]> = [];
    for (const panel of dashboard.panels) {
      if (panel.type === 'row') row = panel.title;
      else panels.push([row, panel.title]);
    }
    const table = readMarkdownTable(GUIDE, 'Panels');
    expect(table.map((r) => r.panel)).toEqual(panels.map(([, title]) => title));
    for (const [i, [rowTitle]] of panels.entries()) expect(rowTitle.startsWith(table[i]!.row!), `${table[i]!.panel}: row ${rowTitle}`).toBe(true);
  });
});
