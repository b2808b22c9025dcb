// The values key paths an unpacked chart defines (contract `keys`): its values.yaml, its subcharts'
// under their name or alias, keys only its templates read, and the maps it copies through whole.
// Reads files; the rules live in key-paths.ts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { KeysFact } from './contract-types.ts';
import { encodePath, flattenValues, KeyIndex, type KeyPath } from './key-paths.ts';

interface ChartYaml {
  name: string;
  version: string;
  type?: string;
  dependencies?: Array<{ name: string; alias?: string; version?: string }>;
}

/** Maps a chart renders whole (toYaml) wherever they sit: their default's contents are examples. */
const PASS_THROUGH = new Set([
  'nodeSelector', 'node_selector', 'resources', 'annotations', 'labels', 'podAnnotations', 'podLabels', 'pod_annotations', 'pod_labels',
  'affinity', 'tolerations', 'securityContext', 'podSecurityContext', 'containerSecurityContext', 'extraArgs', 'grafana.ini',
]);

/** Chart-specific maps copied through whole, found by reading the templates (jaeger: `userconfig` and
 * `uiconfig` become config files via toYaml; both default to null, so no rule above catches them). */
const CURATED_FREE_FORM: Record<string, KeyPath[]> = {
  jaeger: [['userconfig'], ['uiconfig']],
  // argocd-cmd-params-cm and argocd-cm take every key under these (server.insecure, timeout.reconciliation, …).
  'argo-cd': [['configs', 'params'], ['configs', 'cm']],
};

export function readChartYaml(dir: string): ChartYaml {
  return parse(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as ChartYaml;
}

function readValues(dir: string): unknown {
  const file = path.join(dir, 'values.yaml');
  return existsSync(file) ? (parse(readFileSync(file, 'utf8')) ?? {}) : {};
}

/** Subchart directories under charts/, by their Chart.yaml name (archives must be unpacked first). */
export function subchartDirs(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const charts = path.join(dir, 'charts');
  if (!existsSync(charts)) return out;
  for (const e of readdirSync(charts)) {
    const d = path.join(charts, e);
    if (statSync(d).isDirectory() && existsSync(path.join(d, 'Chart.yaml'))) out.set(readChartYaml(d).name, d);
  }
  return out;
}

function templateFiles(dir: string): string[] {
  const t = path.join(dir, 'templates');
  if (!existsSync(t)) return [];
  return (readdirSync(t, { recursive: true }) as string[]).map((f) => path.join(t, f)).filter((f) => statSync(f).isFile());
}

/** `.Values.a.b.c` references in a chart's own templates (not its subcharts'), template comments
 * left out. A library chart's templates read their caller's values, so they give none. */
export function templateValueRefs(dir: string): KeyPath[] {
  const seen = new Set<string>();
  const out: KeyPath[] = [];
  if (readChartYaml(dir).type === 'library') return out;
  for (const f of templateFiles(dir)) {
    const text = readFileSync(f, 'utf8').replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
    for (const m of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const p = m[1].slice(1).split('.');
      const k = p.join('.');
      if (!seen.has(k)) {
        seen.add(k);
        out.push(p);
      }
    }
  }
  return out;
}

interface RawKeys {
  known: KeyPath[];
  freeForm: KeyPath[];
  refs: KeyPath[];
}

function collect(dir: string, chartName: string, prefix: KeyPath): RawKeys {
  const flat = flattenValues(readValues(dir));
  const known = flat.map((k) => [...prefix, ...k.path]);
  const freeForm = flat.filter((k) => k.emptyMap).map((k) => [...prefix, ...k.path]);
  // A pass-through map anywhere in the tree: find its path among the known leaves' prefixes.
  const seen = new Set<string>();
  for (const k of flat) {
    for (let i = 0; i < k.path.length; i++) {
      if (!PASS_THROUGH.has(k.path[i])) continue;
      const p = [...prefix, ...k.path.slice(0, i + 1)];
      const e = encodePath(p);
      if (!seen.has(e)) {
        seen.add(e);
        freeForm.push(p);
      }
      break;
    }
  }
  for (const p of CURATED_FREE_FORM[chartName] ?? []) freeForm.push([...prefix, ...p]);
  const refs = templateValueRefs(dir).map((p) => [...prefix, ...p]);
  const subs = subchartDirs(dir);
  for (const dep of readChartYaml(dir).dependencies ?? []) {
    const sub = subs.get(dep.name);
    if (!sub) continue; // not vendored (a disabled optional dependency): only the parent's keys for it
    const r = collect(sub, dep.name, [...prefix, dep.alias ?? dep.name]);
    known.push(...r.known);
    freeForm.push(...r.freeForm);
    refs.push(...r.refs);
  }
  return { known, freeForm, refs };
}

const uniqSorted = (ps: KeyPath[]) => [...new Set(ps.map(encodePath))].sort();

/** The keys of the unpacked chart at `dir`, with `config` (e.g. Kiali's config fields) if given. */
export function chartKeys(dir: string, config?: KeysFact['config']): KeysFact {
  const chart = readChartYaml(dir);
  const raw = collect(dir, chart.name, []);
  const base = new KeyIndex({ known: uniqSorted(raw.known), freeForm: uniqSorted(raw.freeForm), config });
  // Keys the templates read that values.yaml does not define: allowed, and read whole. Only the
  // shortest of each (`a.b` covers a read of `a.b.c`).
  const unread = raw.refs.filter((p) => !base.has(p));
  const isUnder = (p: KeyPath, q: KeyPath) => q.length < p.length && q.every((s, i) => s === p[i]);
  const templateOnly = unread.filter((p) => !unread.some((q) => isUnder(p, q)));
  return {
    known: uniqSorted(raw.known),
    freeForm: uniqSorted([...raw.freeForm, ...templateOnly]),
    templateOnly: uniqSorted(templateOnly),
    ...(config ? { config } : {}),
  };
}
