// lab/observability/scrape-config.ts against the facts read from prometheus-operator v0.93.0
// pkg/prometheus/promcfg.go, and promtool on what it produces: the lab's monitors as the operator
// would configure Prometheus (kubernetes_sd, upstream promtool 3.11) and as the real-Prometheus tests
// run them (static targets, Debian's promtool 2.42) — valid, and a broken relabeling rejected.
import test from 'ava';
import { prometheusConfig, scrapeConfigsFor, type PodMonitor, type ServiceMonitor } from '../../lab/observability/scrape-config.ts';
import { labMonitors, podTarget, SOCK_SHOP_PODS } from './mesh-scenario.ts';
import { checkConfig, debianPromtool, upstreamPromtool } from './promtool.ts';

type Rule = { action?: string; source_labels?: string[]; target_label?: string; regex?: unknown; replacement?: string };
const summary = (rules: unknown) => (rules as Rule[]).map((r) => `${r.action ?? 'replace'} ${(r.source_labels ?? []).join(',')} > ${r.target_label ?? ''} ${r.regex ?? ''} ${r.replacement ?? ''}`.replace(/\s+/g, ' ').trim());
const SHARDING = ['replace __address__,__tmp_hash > __tmp_hash (.+); $1', 'hashmod __tmp_hash > __tmp_hash', 'keep __tmp_hash,__tmp_disable_sharding > 0;|.+;.+'];

const sidecars = () => labMonitors().find((m) => m.kind === 'PodMonitor') as PodMonitor;
const istiod = () => labMonitors().find((m) => m.kind === 'ServiceMonitor') as ServiceMonitor;

test("the sidecars' PodMonitor: the operator's job, pod role in every namespace, its own rules first, then ours, then sharding", (t) => {
  const [c] = scrapeConfigsFor(sidecars());
  t.like(c, { job_name: 'podMonitor/monitoring/istio-sidecars/0', honor_labels: false, kubernetes_sd_configs: [{ role: 'pod' }], scrape_interval: '15s', metrics_path: '/stats/prometheus' });
  t.deepEqual(summary(c.relabel_configs), [
    'replace job > __tmp_prometheus_job_name',
    'drop __meta_kubernetes_pod_phase > (Failed|Succeeded)',
    'drop __meta_kubernetes_pod_labelpresent_istio_prometheus_ignore > true',
    'replace __meta_kubernetes_namespace > namespace',
    'replace __meta_kubernetes_pod_container_name > container',
    'replace __meta_kubernetes_pod_name > pod',
    'replace > job monitoring/istio-sidecars',
    'keep __meta_kubernetes_pod_container_name > istio-proxy',
    'keep __meta_kubernetes_pod_annotation_prometheus_io_scrape > true',
    'replace __meta_kubernetes_pod_annotation_prometheus_io_port,__meta_kubernetes_pod_ip > __address__ (\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4}) [$2]:$1',
    'replace __meta_kubernetes_pod_annotation_prometheus_io_port,__meta_kubernetes_pod_ip > __address__ (\\d+);((([0-9]+?)(\\.|$)){4}) $2:$1',
    'replace __meta_kubernetes_pod_annotation_prometheus_io_path > __metrics_path__ (.+)',
    ...SHARDING,
  ]);
});

test("istiod's ServiceMonitor: endpoints role, Service selector, port filter, the operator's target labels, app from the Service", (t) => {
  const [c] = scrapeConfigsFor(istiod());
  t.like(c, { job_name: 'serviceMonitor/monitoring/istiod/0', kubernetes_sd_configs: [{ role: 'endpoints' }], scrape_interval: '15s' });
  t.deepEqual(summary(c.relabel_configs), [
    'replace job > __tmp_prometheus_job_name',
    'keep __meta_kubernetes_service_label_istio,__meta_kubernetes_service_labelpresent_istio > (pilot);true',
    'keep __meta_kubernetes_endpoint_port_name > http-monitoring',
    'replace __meta_kubernetes_endpoint_address_target_kind,__meta_kubernetes_endpoint_address_target_name > node Node;(.*) ${1}',
    'replace __meta_kubernetes_endpoint_address_target_kind,__meta_kubernetes_endpoint_address_target_name > pod Pod;(.*) ${1}',
    'replace __meta_kubernetes_namespace > namespace',
    'replace __meta_kubernetes_service_name > service',
    'replace __meta_kubernetes_pod_name > pod',
    'replace __meta_kubernetes_pod_container_name > container',
    'drop __meta_kubernetes_pod_phase > (Failed|Succeeded)',
    'replace __meta_kubernetes_service_label_app > app (.+) ${1}',
    'replace __meta_kubernetes_service_name > job ${1}',
    'replace > endpoint http-monitoring',
    ...SHARDING,
  ]);
  const [slice] = scrapeConfigsFor(istiod(), { serviceDiscoveryRole: 'endpointslice' });
  t.like(slice, { kubernetes_sd_configs: [{ role: 'endpointslice' }] });
  t.true(summary(slice.relabel_configs).includes('keep __meta_kubernetes_endpointslice_port_name > http-monitoring'));
});

test('selectors, namespaces, ports, job and target labels translate as the operator writes them', (t) => {
  const pm: PodMonitor = {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'm', namespace: 'ns' },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'x', a: 'b' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }, { key: 'skip', operator: 'NotIn', values: ['yes'] }, { key: 'team', operator: 'Exists' }] },
      namespaceSelector: { matchNames: ['one', 'two'] }, jobLabel: 'app', podTargetLabels: ['version'],
      podMetricsEndpoints: [{ port: 'metrics', relabelings: [{ action: 'LabelDrop', regex: 'tmp_.*' }] }, { portNumber: 9100, filterRunning: false }],
    },
  };
  const [named, numbered] = scrapeConfigsFor(pm);
  t.deepEqual(named.kubernetes_sd_configs, [{ role: 'pod', namespaces: { names: ['one', 'two'] } }]);
  const s = summary(named.relabel_configs);
  t.deepEqual(s.slice(2, 7), [
    'keep __meta_kubernetes_pod_label_a,__meta_kubernetes_pod_labelpresent_a > (b);true',
    'keep __meta_kubernetes_pod_label_app_kubernetes_io_name,__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name > (x);true',
    'keep __meta_kubernetes_pod_label_tier,__meta_kubernetes_pod_labelpresent_tier > (web|api);true',
    'drop __meta_kubernetes_pod_label_skip,__meta_kubernetes_pod_labelpresent_skip > (yes);true',
    'keep __meta_kubernetes_pod_labelpresent_team > true',
  ]);
  t.true(s.includes('keep __meta_kubernetes_pod_container_port_name > metrics'));
  t.true(s.includes('replace __meta_kubernetes_pod_label_version > version (.+) ${1}'));
  t.true(s.includes('replace __meta_kubernetes_pod_label_app > job (.+) ${1}'));
  t.true(s.includes('replace > endpoint metrics'));
  t.true(s.includes('labeldrop > tmp_.*'), 'actions are lower-cased');
  const n = summary(numbered.relabel_configs);
  t.true(n.includes('keep __meta_kubernetes_pod_container_port_number > 9100'));
  t.false(n.some((r) => r.includes('__meta_kubernetes_pod_phase')), 'filterRunning: false');
  t.false(n.some((r) => r.includes('> endpoint')), 'no endpoint label for a port number');
  t.is(numbered.job_name, 'podMonitor/ns/m/1');
  const own = scrapeConfigsFor({ ...pm, spec: { ...pm.spec, namespaceSelector: undefined } })[0];
  t.deepEqual(own.kubernetes_sd_configs, [{ role: 'pod', namespaces: { names: ['ns'] } }], "no namespaceSelector: the monitor's own namespace");
});

test('a field the translation does not know is refused, naming it', (t) => {
  const m = structuredClone(istiod()) as ServiceMonitor & { spec: { endpoints: Array<Record<string, unknown>> } };
  m.spec.endpoints[0].tlsConfig = { insecureSkipVerify: true };
  (m.spec as unknown as Record<string, unknown>).attachMetadata = { node: true };
  t.throws(() => scrapeConfigsFor(m), { message: /does not translate spec\.attachMetadata, spec\.endpoints\[0\]\.tlsConfig/ });
});

const withBrokenRule = (rule: Record<string, unknown>) => {
  const m = structuredClone(sidecars());
  m.spec.podMetricsEndpoints[0].relabelings!.push(rule);
  return m;
};

test("upstream promtool accepts the lab's monitors as the operator configures Prometheus (kubernetes_sd), and rejects a broken relabeling", (t) => {
  const promtool = upstreamPromtool();
  const config = (monitors = labMonitors()) => prometheusConfig({ scrapeConfigs: monitors.flatMap((m) => scrapeConfigsFor(m)) });
  const good = checkConfig(promtool, config());
  t.true(good.ok, good.output);
  const badRegex = checkConfig(promtool, config([withBrokenRule({ action: 'keep', sourceLabels: ['__meta_kubernetes_pod_name'], regex: 'front-(end' }), istiod()]));
  t.false(badRegex.ok);
  t.regex(badRegex.output, /error parsing regexp/);
  const badAction = checkConfig(promtool, config([withBrokenRule({ action: 'kepe', sourceLabels: ['__meta_kubernetes_pod_name'] }), istiod()]));
  t.false(badAction.ok);
  t.regex(badAction.output, /unknown relabel action "kepe"/);
});

test("Debian's promtool accepts the static-target form the real-Prometheus tests run, and rejects a broken relabeling", (t) => {
  const promtool = debianPromtool();
  const targets = SOCK_SHOP_PODS.map((p) => podTarget(p, 15020));
  const config = (m: PodMonitor) => prometheusConfig({ scrapeConfigs: scrapeConfigsFor(m, { staticTargets: targets, interval: '1s' }), interval: '1s' });
  const good = checkConfig(promtool, config(sidecars()));
  t.true(good.ok, good.output);
  const bad = checkConfig(promtool, config(withBrokenRule({ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: '0pod' })));
  t.false(bad.ok);
  t.regex(bad.output, /"0pod" is invalid 'target_label'/);
  // Debian builds Prometheus without Kubernetes discovery (its NEWS.Debian, 1.5.0+ds-1); seen here:
  const k8s = checkConfig(promtool, prometheusConfig({ scrapeConfigs: scrapeConfigsFor(sidecars()) }));
  t.log(`Debian's promtool on the kubernetes_sd form: ${k8s.ok ? 'accepted' : k8s.output.split('\n').pop()}`);
});
