import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './paths.js';

/*
 * The shipped Grafana dashboard, read the way Grafana reads it: panels with PromQL targets, and
 * template variables whose values come from `label_values(selector, label)`. Grafana is not
 * installed here; what it would send to Prometheus is worked out below, as Grafana does it.
 */

export const OBSERVABILITY = path.join(REPO, 'observability');
export const DASHBOARD_FILE = path.join(OBSERVABILITY, 'grafana/svc-dashboard.json');

export interface DashboardTarget {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
  legendFormat?: string;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  definition?: string;
  query?: string | { query: string };
  allValue?: string;
  datasource?: { type?: string; uid?: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every panel, those inside collapsed rows included, rows themselves left out. */
export function dataPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** A `label_values(selector, label)` variable: the selector (may be a bare metric name) and the label. */
export function labelValuesQuery(variable: DashboardVariable): { selector: string; label: string } {
  const text = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
  const match = /^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(text.trim());
  if (!match) throw new Error(`variable ${variable.name}: not a label_values(selector, label) query: ${text}`);
  return { selector: match[1]!.trim(), label: match[2]! };
}

/** The intervals Grafana puts in place of its macros; each window must span several scrapes. */
export interface Intervals {
  rateInterval: string;
  interval: string;
  range: string;
}

/**
 * A query as Grafana sends it: `$var` / `${var}` replaced by the selected values — one value as
 * is, several as `(a|b)` — with regex characters escaped (the variables sit in `=~` matchers), and
 * the interval macros replaced. Throws on a variable it has no value for.
 */
export function interpolate(expr: string, values: Record<string, string[]>, intervals: Intervals): string {
  const macros: Record<string, string> = { __rate_interval: intervals.rateInterval, __interval: intervals.interval, __range: intervals.range };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    if (name in macros) return macros[name]!;
    const chosen = values[name];
    if (chosen === undefined || chosen.length === 0) throw new Error(`no value for $${name} in ${expr}`);
    const escaped = chosen.map(escapeRegexForPromql);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}

/** A value made literal inside a PromQL regex string: the regex escape, its backslash escaped for the string. */
function escapeRegexForPromql(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`);
}

/** Names of the variables a text uses (`$name`, `${name}`), Grafana's own `$__…` macros left out. */
export function variablesUsed(text: string): string[] {
  return [...text.matchAll(/\$\{(\w+)\}|\$(\w+)/g)].map((m) => (m[1] ?? m[2])!).filter((name) => !name.startsWith('__'));
}

/** The svc series a PromQL expression reads (`svc_…`; recording rules, `svc:…`, are not series of svc's). */
export function svcSeries(expr: string): string[] {
  return [...new Set([...expr.matchAll(/(?<![\w:])svc_[a-z0-9_]+/g)].map((m) => m[0]))];
}
