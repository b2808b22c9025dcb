// The Prometheus scrape_config that prometheus-operator generates for a PodMonitor or ServiceMonitor,
// so the lab's monitors can be checked by promtool and run by a real Prometheus without the
// operator. Behaviour read from prometheus-operator v0.93.0 (the operator kube-prometheus-stack
// 88.1.3 ships), pkg/prometheus/promcfg.go: generatePodMonitorConfig, generateServiceMonitorConfig,
// generateRelabelConfig, generateK8SSDConfig, appendShardingRelabelingWithLabel — the job names,
// the keep/drop rules it emits for label selectors, the container-port / endpoint-port filters,
// the namespace/pod/container/service/endpoint/job target labels, then the monitor's relabelings
// and the sharding rules. Written from those facts; no code was copied.
//
// Only what the lab's monitors use is translated; any other field is refused (so the translation
// cannot silently differ from what the operator would write). Defaults assumed: no scrape class,
// relabel selector mechanism, shards = 1, no enforced namespace label, no attachMetadata.
import { LabError } from '../errors.ts';

export interface RelabelConfig {
  sourceLabels?: string[];
  separator?: string;
  targetLabel?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: string;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

interface CommonEndpoint {
  path?: string;
  interval?: string;
  scrapeTimeout?: string;
  scheme?: string;
  params?: Record<string, string[]>;
  honorLabels?: boolean;
  filterRunning?: boolean;
  relabelings?: RelabelConfig[];
  metricRelabelings?: RelabelConfig[];
}

export interface PodMetricsEndpoint extends CommonEndpoint { port?: string; portNumber?: number }
export interface ServiceEndpoint extends CommonEndpoint { port?: string; targetPort?: string | number }

interface MonitorMeta { name: string; namespace: string }
interface CommonSpec {
  selector: LabelSelector;
  namespaceSelector?: { any?: boolean; matchNames?: string[] };
  jobLabel?: string;
  podTargetLabels?: string[];
}

export interface PodMonitor {
  apiVersion: string;
  kind: 'PodMonitor';
  metadata: MonitorMeta;
  spec: CommonSpec & { podMetricsEndpoints: PodMetricsEndpoint[] };
}

export interface ServiceMonitor {
  apiVersion: string;
  kind: 'ServiceMonitor';
  metadata: MonitorMeta;
  spec: CommonSpec & { endpoints: ServiceEndpoint[]; targetLabels?: string[] };
}

export type Monitor = PodMonitor | ServiceMonitor;

/** A target standing in for what Kubernetes discovery would find: address + its __meta_* labels. */
export interface StaticTarget {
  address: string;
  labels: Record<string, string>;
}

export interface TranslateOptions {
  /** Replace kubernetes_sd_configs by these targets (tests: real Prometheus, no cluster). */
  staticTargets?: StaticTarget[];
  /** Prometheus' spec.serviceDiscoveryRole (the chart leaves it empty: endpoints). */
  serviceDiscoveryRole?: 'endpoints' | 'endpointslice';
  /** Use this scrape interval for every endpoint (tests: a short one). */
  interval?: string;
}

export type ScrapeConfig = Record<string, unknown>;
type Relabel = Record<string, unknown>;

const SPEC_FIELDS = new Set(['selector', 'namespaceSelector', 'jobLabel', 'podTargetLabels', 'podMetricsEndpoints', 'endpoints', 'targetLabels']);
const ENDPOINT_FIELDS = new Set(['port', 'portNumber', 'targetPort', 'path', 'interval', 'scrapeTimeout', 'scheme', 'params', 'honorLabels', 'filterRunning', 'relabelings', 'metricRelabelings']);
const RELABEL_FIELDS = new Set(['sourceLabels', 'separator', 'targetLabel', 'regex', 'modulus', 'replacement', 'action']);

/** The label-name form the operator uses for a Kubernetes label key (promcfg.go sanitizeLabelName). */
export const sanitizeLabelName = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

function refuseUnknown(m: Monitor): void {
  const where = `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`;
  const extra = Object.keys(m.spec).filter((k) => !SPEC_FIELDS.has(k));
  const endpoints: CommonEndpoint[] = m.kind === 'PodMonitor' ? m.spec.podMetricsEndpoints : m.spec.endpoints;
  endpoints.forEach((ep, i) => {
    extra.push(...Object.keys(ep).filter((k) => !ENDPOINT_FIELDS.has(k)).map((k) => `endpoints[${i}].${k}`));
    for (const r of [...(ep.relabelings ?? []), ...(ep.metricRelabelings ?? [])]) {
      extra.push(...Object.keys(r).filter((k) => !RELABEL_FIELDS.has(k)).map((k) => `endpoints[${i}] relabeling ${k}`));
    }
  });
  if (extra.length) throw new LabError(`${where}: lab/observability/scrape-config.ts does not translate spec.${extra.join(', spec.')} — extend it from prometheus-operator's promcfg.go first`);
}

/** The monitor's own relabelings as the operator writes them (generateRelabelConfig). */
export function relabelsOf(rc: RelabelConfig[] = []): Relabel[] {
  return rc.map((c) => {
    const r: Relabel = {};
    if (c.sourceLabels?.length) r.source_labels = c.sourceLabels;
    if (c.separator !== undefined) r.separator = c.separator;
    if (c.targetLabel) r.target_label = c.targetLabel;
    if (c.regex) r.regex = c.regex;
    if (c.modulus) r.modulus = c.modulus;
    if (c.replacement !== undefined) r.replacement = c.replacement;
    if (c.action) r.action = c.action.toLowerCase();
    return r;
  });
}

/** keep/drop rules for a label selector on pod or service labels. */
function selectorRelabels(sel: LabelSelector, kind: 'pod' | 'service'): Relabel[] {
  const label = (k: string) => `__meta_kubernetes_${kind}_label_${sanitizeLabelName(k)}`;
  const present = (k: string) => `__meta_kubernetes_${kind}_labelpresent_${sanitizeLabelName(k)}`;
  const out: Relabel[] = Object.keys(sel.matchLabels ?? {}).sort().map((k) => ({ action: 'keep', source_labels: [label(k), present(k)], regex: `(${sel.matchLabels![k]});true` }));
  for (const e of sel.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join('|')});true`;
    if (e.operator === 'In') out.push({ action: 'keep', source_labels: [label(e.key), present(e.key)], regex: values });
    else if (e.operator === 'NotIn') out.push({ action: 'drop', source_labels: [label(e.key), present(e.key)], regex: values });
    else if (e.operator === 'Exists') out.push({ action: 'keep', source_labels: [present(e.key)], regex: 'true' });
    else if (e.operator === 'DoesNotExist') out.push({ action: 'drop', source_labels: [present(e.key)], regex: 'true' });
    else throw new LabError(`label selector operator ${String(e.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
  }
  return out;
}

const labelCopies = (prefix: string, labels: string[] = []): Relabel[] =>
  labels.map((l) => ({ source_labels: [`${prefix}${sanitizeLabelName(l)}`], target_label: sanitizeLabelName(l), regex: '(.+)', replacement: '${1}' }));

/** The operator's sharding rules with shards = 1; the config reloader puts the shard (0) for $(SHARD). */
function shardingRelabels(): Relabel[] {
  return [
    { source_labels: ['__address__', '__tmp_hash'], target_label: '__tmp_hash', regex: '(.+);', replacement: '$1', action: 'replace' },
    { source_labels: ['__tmp_hash'], target_label: '__tmp_hash', modulus: 1, action: 'hashmod' },
    { source_labels: ['__tmp_hash', '__tmp_disable_sharding'], regex: '0;|.+;.+', action: 'keep' },
  ];
}

function discovery(m: Monitor, role: string, opts: TranslateOptions): ScrapeConfig {
  if (opts.staticTargets) return { static_configs: opts.staticTargets.map((t) => ({ targets: [t.address], labels: t.labels })) };
  const ns = m.spec.namespaceSelector;
  const names = ns?.any ? [] : ns?.matchNames?.length ? ns.matchNames : [m.metadata.namespace];
  return { kubernetes_sd_configs: [{ role, ...(names.length ? { namespaces: { names } } : {}) }] };
}

function head(m: Monitor, i: number, ep: CommonEndpoint, role: string, opts: TranslateOptions): ScrapeConfig {
  const kind = m.kind === 'PodMonitor' ? 'podMonitor' : 'serviceMonitor';
  const cfg: ScrapeConfig = { job_name: `${kind}/${m.metadata.namespace}/${m.metadata.name}/${i}`, honor_labels: ep.honorLabels ?? false, ...discovery(m, role, opts) };
  const interval = opts.interval ?? ep.interval;
  if (interval) cfg.scrape_interval = interval;
  if (ep.scrapeTimeout) cfg.scrape_timeout = ep.scrapeTimeout;
  if (ep.path) cfg.metrics_path = ep.path;
  if (ep.params) cfg.params = ep.params;
  if (ep.scheme) cfg.scheme = ep.scheme;
  return cfg;
}

function tail(cfg: ScrapeConfig, relabels: Relabel[], ep: CommonEndpoint): ScrapeConfig {
  cfg.relabel_configs = [...relabels, ...relabelsOf(ep.relabelings), ...shardingRelabels()];
  if (ep.metricRelabelings?.length) cfg.metric_relabel_configs = relabelsOf(ep.metricRelabelings);
  return cfg;
}

const INIT: Relabel = { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' };
const RUNNING: Relabel = { action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' };

function podMonitorConfigs(m: PodMonitor, opts: TranslateOptions): ScrapeConfig[] {
  return m.spec.podMetricsEndpoints.map((ep, i) => {
    const r: Relabel[] = [INIT];
    if (ep.filterRunning ?? true) r.push(RUNNING);
    r.push(...selectorRelabels(m.spec.selector, 'pod'));
    if (ep.port) r.push({ action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: ep.port });
    else if (ep.portNumber) r.push({ action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: ep.portNumber });
    r.push(
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      ...labelCopies('__meta_kubernetes_pod_label_', m.spec.podTargetLabels),
      { target_label: 'job', replacement: `${m.metadata.namespace}/${m.metadata.name}` },
    );
    if (m.spec.jobLabel) r.push(...labelCopies('__meta_kubernetes_pod_label_', [m.spec.jobLabel]).map((x) => ({ ...x, target_label: 'job' })));
    if (ep.port) r.push({ target_label: 'endpoint', replacement: ep.port });
    return tail(head(m, i, ep, 'pod', opts), r, ep);
  });
}

function serviceMonitorConfigs(m: ServiceMonitor, opts: TranslateOptions): ScrapeConfig[] {
  const role = opts.serviceDiscoveryRole ?? 'endpoints';
  const meta = role === 'endpointslice' ? '__meta_kubernetes_endpointslice' : '__meta_kubernetes_endpoint';
  return m.spec.endpoints.map((ep, i) => {
    const r: Relabel[] = [INIT, ...selectorRelabels(m.spec.selector, 'service')];
    if (ep.port) r.push({ action: 'keep', source_labels: [`${meta}_port_name`], regex: ep.port });
    else if (typeof ep.targetPort === 'string') r.push({ action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: ep.targetPort });
    else if (typeof ep.targetPort === 'number') r.push({ action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: ep.targetPort });
    const target = [`${meta}_address_target_kind`, `${meta}_address_target_name`];
    r.push(
      { source_labels: target, separator: ';', regex: 'Node;(.*)', replacement: '${1}', target_label: 'node' },
      { source_labels: target, separator: ';', regex: 'Pod;(.*)', replacement: '${1}', target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
    );
    if (ep.filterRunning ?? true) r.push(RUNNING);
    r.push(
      ...labelCopies('__meta_kubernetes_service_label_', m.spec.targetLabels),
      ...labelCopies('__meta_kubernetes_pod_label_', m.spec.podTargetLabels),
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', replacement: '${1}' },
    );
    if (m.spec.jobLabel) r.push(...labelCopies('__meta_kubernetes_service_label_', [m.spec.jobLabel]).map((x) => ({ ...x, target_label: 'job' })));
    const endpoint = ep.port ?? (ep.targetPort !== undefined ? String(ep.targetPort) : undefined);
    if (endpoint) r.push({ target_label: 'endpoint', replacement: endpoint });
    return tail(head(m, i, ep, role, opts), r, ep);
  });
}

/** The scrape_configs (one per endpoint) the operator generates for `m`. */
export function scrapeConfigsFor(m: Monitor, opts: TranslateOptions = {}): ScrapeConfig[] {
  refuseUnknown(m);
  return m.kind === 'PodMonitor' ? podMonitorConfigs(m, opts) : serviceMonitorConfigs(m, opts);
}

export interface PrometheusConfigOptions {
  scrapeConfigs: ScrapeConfig[];
  /** Global scrape and evaluation interval; the operator's default is 30s. */
  interval?: string;
}

/** A whole prometheus.yml around `scrapeConfigs` (the global part is ours, not the operator's). */
export function prometheusConfig(o: PrometheusConfigOptions): Record<string, unknown> {
  const interval = o.interval ?? '30s';
  // Prometheus' default scrape_timeout (10s) must not exceed a shorter interval.
  const timeout = o.interval ? { scrape_timeout: o.interval } : {};
  return { global: { scrape_interval: interval, ...timeout, evaluation_interval: interval }, scrape_configs: o.scrapeConfigs };
}
