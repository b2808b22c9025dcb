// Evaluates a dashboard source against a real Prometheus the way Grafana would use it: template
// variables set to their defaults and Grafana's $__ intervals filled in. A query passes when it
// returns at least one finite value, every label it matches on or groups by exists on the metrics
// it reads, and every label its legend names is on the result. A variable passes when its
// label_values() lists its default.
import { panelQueries, type DashboardSpec } from '../../lab/observability/dashboards.ts';
import type { RunningPrometheus } from './real-prometheus.ts';

/** What Grafana puts for its built-in interval variables (the test Prometheus scrapes every 1s). */
export const GRAFANA_INTERVALS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m' };

export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? whole);
}

const SELECTOR = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g;
const BARE_METRIC = /\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\)/g;
const MATCHER_LABEL = /(\w+)\s*(?:=~|!~|!=|=)/g;
const BY = /\bby\s*\(([^)]*)\)/g;

async function labelNames(prom: RunningPrometheus, metric: string, cache: Map<string, Set<string>>): Promise<Set<string>> {
  if (!cache.has(metric)) cache.set(metric, new Set(await prom.api<string[]>(`/api/v1/labels?match[]=${encodeURIComponent(metric)}`)));
  return cache.get(metric)!;
}

async function queryProblems(prom: RunningPrometheus, expr: string, legend: string | undefined, cache: Map<string, Set<string>>): Promise<string[]> {
  const problems: string[] = [];
  let result;
  try {
    result = await prom.query(expr);
  } catch (err) {
    return [(err as Error).message];
  }
  if (!result.some((s) => Number.isFinite(Number(s.value[1])))) problems.push('no data');
  const selectors = [...expr.matchAll(SELECTOR)].map((m) => ({ metric: m[1], labels: [...m[2].matchAll(MATCHER_LABEL)].map((x) => x[1]) }));
  const metrics = new Set([...selectors.map((s) => s.metric), ...[...expr.replace(BY, '').matchAll(BARE_METRIC)].map((m) => m[1])]);
  for (const s of selectors) {
    const names = await labelNames(prom, s.metric, cache);
    if (!names.size) problems.push(`no series named ${s.metric}`);
    else for (const l of s.labels.filter((x) => !names.has(x))) problems.push(`${s.metric} has no label ${l}`);
  }
  const grouped = [...expr.matchAll(BY)].flatMap((m) => m[1].split(',').map((x) => x.trim()).filter(Boolean));
  for (const metric of metrics) {
    const names = await labelNames(prom, metric, cache);
    if (!names.size) { if (!selectors.some((s) => s.metric === metric)) problems.push(`no series named ${metric}`); continue; }
    for (const l of grouped.filter((x) => !names.has(x))) problems.push(`groups by ${l}, which ${metric} does not have`);
  }
  for (const l of [...(legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1])) {
    if (result.some((s) => !s.metric[l])) problems.push(`legend names {{${l}}}, which the result does not carry`);
  }
  return problems;
}

export interface CheckReport { problems: string[]; queries: number }

/** Every problem of `d` against `prom`, each naming the dashboard and the panel or variable. */
export async function checkDashboard(prom: RunningPrometheus, d: DashboardSpec): Promise<CheckReport> {
  const vars = { ...GRAFANA_INTERVALS, ...Object.fromEntries((d.variables ?? []).map((v) => [v.name, v.default])) };
  const cache = new Map<string, Set<string>>();
  const problems: string[] = [];
  let queries = 0;
  for (const v of d.variables ?? []) {
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(substitute(v.query, vars));
    if (!m) { problems.push(`${d.name} variable ${v.name}: not label_values(selector, label)`); continue; }
    queries += 1;
    const values = await prom.api<string[]>(`/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(m[1])}`).catch((e: Error) => [e.message]);
    if (!values.includes(v.default)) problems.push(`${d.name} variable ${v.name}: ${m[2]} values [${values.join(', ')}] lack ${v.default}`);
  }
  for (const p of d.panels) {
    for (const q of panelQueries(p)) {
      queries += 1;
      const found = await queryProblems(prom, substitute(q.expr, vars), q.legend, cache);
      problems.push(...found.map((x) => `${d.name} panel "${p.title}": ${x}`));
    }
  }
  return { problems, queries };
}
