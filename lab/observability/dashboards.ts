// The lab's Grafana dashboards: written compactly in manifests/observability/dashboards/<name>.yaml
// (title, template variables, panels with PromQL and a unit), turned here into Grafana dashboard JSON
// and into the ConfigMaps (label grafana_dashboard: "1") Grafana's sidecar loads. The ConfigMaps are
// kept in manifests/observability/grafana/dashboards/ so `kubectl apply -k` gives what `up` applies;
// a test checks they are what this module generates (rewrite them with
// `npx tsx lab/observability/dashboards.ts --write`).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { LabError } from '../errors.ts';
import { MANIFESTS_DIR } from '../manifests.ts';
import { DATASOURCE_UIDS } from './datasource-uids.ts';
import { MONITORING_NAMESPACE } from './endpoints.ts';

export const DASHBOARD_SOURCES = path.join(MANIFESTS_DIR, 'observability', 'dashboards');
export const DASHBOARD_CONFIGMAPS = path.join(MANIFESTS_DIR, 'observability', 'grafana', 'dashboards');

export interface DashboardVariable {
  name: string;
  label?: string;
  /** Grafana's Prometheus variable query: label_values(<series selector>, <label>). */
  query: string;
  /** Selected when the dashboard opens: the samples' namespace / workload. */
  default: string;
}

export interface PanelQuery { expr: string; legend?: string }

export interface PanelSpec {
  title: string;
  description?: string;
  type?: 'timeseries' | 'stat' | 'table';
  unit: string;
  /** Width in Grafana's 24-column grid (default 12; stat 6). */
  width?: number;
  expr?: string;
  legend?: string;
  queries?: PanelQuery[];
}

export interface DashboardSpec {
  /** The file's name without .yaml. */
  name: string;
  uid: string;
  title: string;
  description?: string;
  tags?: string[];
  variables?: DashboardVariable[];
  panels: PanelSpec[];
}

/** Grafana unit ids the dashboards may use (a misspelt one would render as a plain number). */
export const UNITS = new Set(['reqps', 'percentunit', 'ms', 's', 'bytes', 'Bps', 'short', 'none']);
const TYPES = new Set(['timeseries', 'stat', 'table']);
const BUILTINS = new Set(['__rate_interval', '__interval', '__range']);

export const panelQueries = (p: PanelSpec): PanelQuery[] => p.queries ?? (p.expr ? [{ expr: p.expr, legend: p.legend }] : []);

/** Problems with a dashboard source, each naming the panel and the fix. */
export function dashboardProblems(d: DashboardSpec): string[] {
  const where = `manifests/observability/dashboards/${d.name}.yaml`;
  const problems: string[] = [];
  if (!d.uid || !d.title) problems.push(`${where}: uid and title are required`);
  const vars = new Set((d.variables ?? []).map((v) => v.name));
  for (const v of d.variables ?? []) {
    if (!/^label_values\(.+,\s*\w+\)$/.test(v.query)) problems.push(`${where}: variable ${v.name}: query must be label_values(<selector>, <label>)`);
    if (!v.default) problems.push(`${where}: variable ${v.name}: set default (the samples' value)`);
  }
  const refs = (text: string) => [...text.matchAll(/\$(\w+)/g)].map((m) => m[1]).filter((n) => !BUILTINS.has(n) && !vars.has(n));
  for (const v of d.variables ?? []) for (const r of refs(v.query)) problems.push(`${where}: variable ${v.name} uses $${r}, which is not a variable`);
  if (!d.panels?.length) problems.push(`${where}: no panels`);
  for (const p of d.panels ?? []) {
    const at = `${where}: panel "${p.title}"`;
    if (!UNITS.has(p.unit)) problems.push(`${at}: unit ${p.unit} is not one of ${[...UNITS].join(', ')}`);
    if (p.type && !TYPES.has(p.type)) problems.push(`${at}: type ${p.type} is not one of ${[...TYPES].join(', ')}`);
    const qs = panelQueries(p);
    if (!qs.length || (p.expr && p.queries)) problems.push(`${at}: give expr or queries (one of them)`);
    for (const q of qs) for (const r of refs(q.expr)) problems.push(`${at}: uses $${r}, which is not a variable`);
  }
  return problems;
}

export function loadDashboardSpecs(dir = DASHBOARD_SOURCES): DashboardSpec[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const specs = files.map((f) => ({ ...(parse(readFileSync(path.join(dir, f), 'utf8')) as Omit<DashboardSpec, 'name'>), name: f.replace(/\.yaml$/, '') }));
  const problems = specs.flatMap(dashboardProblems);
  if (problems.length) throw new LabError(`dashboard sources have problems:\n  ${problems.join('\n  ')}`);
  return specs;
}

const DS = { type: 'prometheus', uid: DATASOURCE_UIDS.prometheus };

function variableJson(v: DashboardVariable) {
  return {
    type: 'query',
    name: v.name,
    label: v.label ?? v.name,
    datasource: DS,
    definition: v.query,
    query: { query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    sort: 1,
    includeAll: false,
    multi: false,
    current: { selected: true, text: v.default, value: v.default },
    options: [],
  };
}

const OPTIONS = {
  stat: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' },
  timeseries: { legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['mean', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  table: { showHeader: true },
};

function panelJson(p: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }) {
  const type = p.type ?? 'timeseries';
  const targets = panelQueries(p).map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DS,
    expr: q.expr,
    legendFormat: q.legend ?? '__auto',
    ...(type === 'table' ? { instant: true, range: false, format: 'table' } : { range: true }),
  }));
  const defaults = { unit: p.unit, ...(p.unit === 'percentunit' ? { min: 0, max: 1 } : {}) };
  return {
    id,
    type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: DS,
    gridPos,
    targets,
    fieldConfig: { defaults, overrides: [] },
    options: OPTIONS[type],
    ...(type === 'table' ? { transformations: [{ id: 'organize', options: { excludeByName: { Time: true } } }] } : {}),
  };
}

/** Grafana dashboard JSON (schema 39) for a source. */
export function dashboardJson(d: DashboardSpec): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.width ?? (p.type === 'stat' ? 6 : 12);
    const h = p.type === 'stat' ? 4 : 8;
    if (x + w > 24) { x = 0; y += rowHeight; rowHeight = 0; }
    const pos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return panelJson(p, i + 1, pos);
  });
  return {
    uid: d.uid,
    title: d.title,
    ...(d.description ? { description: d.description } : {}),
    tags: d.tags ?? [],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-30m', to: 'now' },
    refresh: '30s',
    timezone: 'browser',
    annotations: { list: [] },
    templating: { list: (d.variables ?? []).map(variableJson) },
    panels,
  };
}

/** The ConfigMap Grafana's dashboard sidecar loads for a source. */
export function dashboardConfigMap(d: DashboardSpec): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `lab-dashboard-${d.name}`, namespace: MONITORING_NAMESPACE, labels: { grafana_dashboard: '1' } },
    data: { [`${d.name}.json`]: `${JSON.stringify(dashboardJson(d), null, 2)}\n` },
  };
}

/** The text of manifests/observability/grafana/dashboards/<name>.yaml. */
export function dashboardConfigMapFile(d: DashboardSpec): string {
  const header = `# Generated from manifests/observability/dashboards/${d.name}.yaml by lab/observability/dashboards.ts\n`
    + '# (edit the source, then: npx tsx lab/observability/dashboards.ts --write).\n';
  // As lab/yaml.ts writes YAML (1.1, no aliases), with the JSON as a literal block, unfolded.
  return header + stringify(dashboardConfigMap(d), { aliasDuplicateObjects: false, version: '1.1', blockQuote: 'literal', lineWidth: 0 });
}

export function writeDashboardConfigMaps(specs = loadDashboardSpecs()): string[] {
  return specs.map((d) => {
    const file = path.join(DASHBOARD_CONFIGMAPS, `${d.name}.yaml`);
    writeFileSync(file, dashboardConfigMapFile(d));
    return path.relative(process.cwd(), file);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  for (const f of writeDashboardConfigMaps()) console.log(`wrote ${f}`);
}
