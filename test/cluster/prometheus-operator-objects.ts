// Objects for test/cluster/prometheus-operator.test.ts: a Prometheus as kube-prometheus-stack 88.1.3
// renders it, a monitor no nil-selector default selects, and the relabel rules a translation must get right.
import type { KubernetesObject } from '@kubernetes/client-node';

type Selector = { matchLabels?: Record<string, string> };

/**
 * The chart's templates/prometheus/prometheus.yaml: with `*SelectorNilUsesHelmValues: false` (our
 * values) each selector renders as {}; with the chart's default (true) as matchLabels release:
 * <release>. Namespace selectors render as {} either way. `version` is the chart's
 * prometheusSpec.image.tag, which it renders as version.
 */
export function prometheusCr(namespace: string, name: string, selector: Selector): KubernetesObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'Prometheus',
    metadata: { name, namespace },
    spec: {
      version: 'v3.13.2-distroless',
      replicas: 1,
      serviceMonitorSelector: selector,
      serviceMonitorNamespaceSelector: {},
      podMonitorSelector: selector,
      podMonitorNamespaceSelector: {},
      probeSelector: selector,
      probeNamespaceSelector: {},
      ruleSelector: selector,
      ruleNamespaceSelector: {},
      scrapeConfigSelector: selector,
      scrapeConfigNamespaceSelector: {},
    },
  } as KubernetesObject;
}

/** The lab's PodMonitor as if it had been written without its `release` label. */
export function labMonitorsUnselected(labMonitors: KubernetesObject[]): KubernetesObject {
  const pm = structuredClone(labMonitors.find((o) => o.kind === 'PodMonitor'));
  if (!pm) throw new Error('manifests/observability/monitors has no PodMonitor');
  pm.metadata!.name = `${pm.metadata!.name}-unlabelled`;
  delete pm.metadata!.labels?.release;
  return pm;
}

const MATTERS = new Set(['namespace', 'pod', 'container', '__address__', '__metrics_path__']);
/** The operator's sharding rules work on __tmp_* labels (__tmp_hash, __tmp_current_shard, …). */
const sharding = (r: Record<string, unknown>) =>
  [r.target_label, ...((r.source_labels as string[] | undefined) ?? [])].some((l) => typeof l === 'string' && l.startsWith('__tmp_') && l !== '__tmp_prometheus_job_name');

/** keep/drop rules (selectors, container, port, annotations), the namespace/pod/container target
 * labels, address and path rewrites, and the metric relabelings — in order; not the sharding rules. */
export function rulesThatMatter(job: Record<string, unknown>): { relabel: unknown[]; metric: unknown[] } {
  const rules = (job.relabel_configs as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    relabel: rules.filter((r) => !sharding(r) && (r.action === 'keep' || r.action === 'drop' || MATTERS.has(r.target_label as string))),
    metric: (job.metric_relabel_configs as unknown[] | undefined) ?? [],
  };
}

/** The lab's PodMonitor with a first relabeling whose regex does not compile: the CRD takes it (it
 * does not check regexes), the operator must refuse it. */
export function labMonitorBadRegex(labMonitors: KubernetesObject[]): KubernetesObject {
  const pm = structuredClone(labMonitors.find((o) => o.kind === 'PodMonitor')) as KubernetesObject & { spec: { podMetricsEndpoints: Array<{ relabelings: Array<{ regex?: string }> }> } };
  pm.metadata!.name = `${pm.metadata!.name}-bad-regex`;
  pm.spec.podMetricsEndpoints[0].relabelings[0].regex = '(istio-proxy';
  return pm;
}
