// Does a Prometheus configuration (as prometheus-operator generated it) scrape a set of PodMonitors
// and ServiceMonitors? One job per monitor endpoint, named <kind>/<namespace>/<name>/<index>
// (pkg/prometheus/promcfg.go at v0.93.0), carrying the monitor's own relabelings, in order, after
// the operator's, and its metric relabelings. Each problem is one line naming the monitor.
import { isDeepStrictEqual } from 'node:util';
import type { GeneratedConfig } from './prometheus-operator.ts';
import { relabelsOf, type RelabelConfig } from '../observability/scrape-config.ts';

export type MonitorRelabel = RelabelConfig;

interface MonitorEndpoint {
  relabelings?: MonitorRelabel[];
  metricRelabelings?: MonitorRelabel[];
}

export interface MonitorLike {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { podMetricsEndpoints?: MonitorEndpoint[]; endpoints?: MonitorEndpoint[] };
}

type Rule = Record<string, unknown>;
type Job = Record<string, unknown> & { job_name: string };

const JOB_PREFIX: Record<string, string> = { PodMonitor: 'podMonitor', ServiceMonitor: 'serviceMonitor' };

export function endpointsOf(m: MonitorLike): MonitorEndpoint[] {
  return (m.kind === 'PodMonitor' ? m.spec?.podMetricsEndpoints : m.spec?.endpoints) ?? [];
}

/** The job name the operator gives endpoint `i` of a monitor. */
export function jobName(m: MonitorLike, i: number): string {
  const prefix = JOB_PREFIX[m.kind ?? ''];
  if (!prefix) throw new Error(`${m.kind} is not a PodMonitor or ServiceMonitor`);
  return `${prefix}/${m.metadata?.namespace}/${m.metadata?.name}/${i}`;
}


/** Index in `rules` after which every one of `wanted` appears in order, or -1 where the first one missing is. */
function missingFromSequence(rules: Rule[], wanted: Rule[]): number {
  let at = 0;
  for (let w = 0; w < wanted.length; w++) {
    while (at < rules.length && !isDeepStrictEqual(rules[at], wanted[w])) at++;
    if (at === rules.length) return w;
    at++;
  }
  return -1;
}

export function jobsOf(config: GeneratedConfig): Map<string, Job> {
  return new Map((config.scrape_configs ?? []).map((j) => [j.job_name, j as Job]));
}

/** Every way `config` fails to scrape `monitors` as written; empty when it does. */
export function monitorJobProblems(config: GeneratedConfig, monitors: MonitorLike[]): string[] {
  const jobs = jobsOf(config);
  const problems: string[] = [];
  for (const m of monitors) {
    const what = `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}`;
    const eps = endpointsOf(m);
    if (!eps.length) problems.push(`${what} has no endpoints`);
    eps.forEach((ep, i) => {
      const name = jobName(m, i);
      const job = jobs.get(name);
      if (!job) return void problems.push(`${what}: no job ${name} (the Prometheus does not select it, or the operator rejected it)`);
      const relabels = promRules(ep.relabelings);
      const miss = missingFromSequence((job.relabel_configs as Rule[] | undefined) ?? [], relabels);
      if (miss >= 0) problems.push(`${what}: job ${name} lacks relabeling ${miss + 1} ${JSON.stringify(relabels[miss])} (or has it out of order)`);
      const metric = promRules(ep.metricRelabelings);
      if (!isDeepStrictEqual((job.metric_relabel_configs as Rule[] | undefined) ?? [], metric)) {
        problems.push(`${what}: job ${name} metric_relabel_configs ${JSON.stringify(job.metric_relabel_configs ?? [])}, want ${JSON.stringify(metric)}`);
      }
    });
  }
  return problems;
}

// A monitor's relabelings in Prometheus' own form (snake_case keys, action lower-cased, unset
// fields absent): the lab's translation does exactly that conversion (the operator's generateRelabelConfig).
const promRules = (rs: MonitorRelabel[] = []): Rule[] => relabelsOf(rs) as Rule[];

/** A relabel rule whose target_label is `label` and whose source is `source` — e.g. pod from __meta_kubernetes_pod_name. */
export function hasTargetLabel(job: Job, label: string, source: string): boolean {
  return ((job.relabel_configs as Rule[] | undefined) ?? []).some((r) => r.target_label === label && isDeepStrictEqual(r.source_labels, [source]));
}

/** Rules of `a` with no equal rule left in `b` (each rule of `b` matches once). */
function unmatched(a: Rule[], b: Rule[]): Rule[] {
  const left = [...b];
  return a.filter((r) => {
    const i = left.findIndex((x) => isDeepStrictEqual(x, r));
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/** Where two scrape jobs differ: other keys by value; relabel rule lists by the rules only one side has,
 * or "same rules, another order". */
export function jobDifferences(a: Rule, b: Rule, names: [string, string] = ['a', 'b']): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (isDeepStrictEqual(a[key], b[key])) continue;
    if (/relabel_configs$/.test(key)) {
      const [ra, rb] = [(a[key] as Rule[] | undefined) ?? [], (b[key] as Rule[] | undefined) ?? []];
      const [onlyA, onlyB] = [unmatched(ra, rb), unmatched(rb, ra)];
      for (const r of onlyA) out.push(`${key}: only ${names[0]} has ${JSON.stringify(r)} (rule ${ra.indexOf(r) + 1} of ${ra.length})`);
      for (const r of onlyB) out.push(`${key}: only ${names[1]} has ${JSON.stringify(r)} (rule ${rb.indexOf(r) + 1} of ${rb.length})`);
      if (!onlyA.length && !onlyB.length) out.push(`${key}: same rules, another order`);
    } else {
      out.push(`${key}: ${names[0]} ${JSON.stringify(a[key] ?? null)} / ${names[1]} ${JSON.stringify(b[key] ?? null)}`);
    }
  }
  return out;
}
