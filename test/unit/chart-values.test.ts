// Every key our Helm values set (manifests/observability/values/<release>.yaml) exists in its pinned
// chart, as recorded in fixtures/charts/contract.json: a key in the chart's values.yaml (subcharts'
// under their name), anything under a map the chart copies through whole, a key its templates read,
// or (kiali-server) a field of the Kiali config it writes its values into. A misspelt key fails.
import test from 'ava';
import { decodePath, encodePath, flattenValues, keyPathExists, loadContract, releaseFact, unknownValueKeys } from '../../lab/charts/contract.ts';
import { loadValues } from '../../lab/charts/values.ts';
import { RELEASES } from '../../lab/observability/endpoints.ts';
import { CHARTS } from '../../lab/versions.ts';

const contract = loadContract();

/** A deep copy of `values` with the key at `path` renamed to `to`. */
function renamed(values: Record<string, unknown>, path: string[], to: string): Record<string, unknown> {
  const copy = structuredClone(values);
  let node = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (!(last in node)) throw new Error(`the values have no ${path.join('.')} to rename`);
  node[to] = node[last];
  delete node[last];
  return copy;
}

test('the contract covers exactly the pinned releases, at the pinned chart versions', (t) => {
  t.deepEqual(Object.keys(contract.releases).sort(), Object.values(RELEASES).map((r) => r.release).sort());
  for (const spec of Object.values(RELEASES)) {
    const r = releaseFact(contract, spec.release);
    t.is(r.chart, spec.chart, spec.release);
    t.is(r.version, CHARTS[spec.chart].version, spec.release);
    t.is(r.namespace, spec.namespace, spec.release);
    t.true(r.keys.known.length > 40, `${spec.release}: the chart's keys are recorded`); // the smallest, loadtester 0.38.0, has 46
  }
});

for (const spec of Object.values(RELEASES)) {
  test(`every key the ${spec.release} values set exists in ${spec.chart} ${CHARTS[spec.chart].version}`, (t) => {
    const values = loadValues(spec.release);
    t.true(flattenValues(values).length >= 5, 'the values file sets keys');
    t.deepEqual(unknownValueKeys(contract, spec.release, values), []);
  });
}

test('a misspelt key fails, wherever it is in the tree', (t) => {
  const kps = loadValues('kube-prometheus-stack');
  t.deepEqual(unknownValueKeys(contract, 'kube-prometheus-stack', renamed(kps, ['prometheus', 'prometheusSpec', 'retention'], 'retension')), ['prometheus.prometheusSpec.retension']);
  t.deepEqual(
    unknownValueKeys(contract, 'kube-prometheus-stack', renamed(kps, ['prometheus', 'prometheusSpec', 'podMonitorSelectorNilUsesHelmValues'], 'podMonitorSelectorNilUseHelmValues')),
    ['prometheus.prometheusSpec.podMonitorSelectorNilUseHelmValues'],
    'the *SelectorNilUsesHelmValues trap: a typo would leave the chart default (true) in force',
  );
  // A subchart key (grafana's), and a misspelt map above a free-form one (nodeSelector is free-form, its parent is not).
  t.deepEqual(unknownValueKeys(contract, 'kube-prometheus-stack', renamed(kps, ['grafana', 'admin', 'existingSecret'], 'existingSecrets')), ['grafana.admin.existingSecrets']);
  const underTypo = unknownValueKeys(contract, 'kube-prometheus-stack', renamed(kps, ['prometheusOperator'], 'prometheusOperater'));
  t.is(underTypo.length, flattenValues(kps.prometheusOperator, ['prometheusOperator']).length, 'every key under a misspelt map fails, nodeSelector entries included');
  t.true(underTypo.includes('prometheusOperater.nodeSelector["node.kubernetes.io/nodegroup"]'));
  const loki = loadValues('loki');
  t.deepEqual(unknownValueKeys(contract, 'loki', renamed(loki, ['singleBinary', 'replicas'], 'replica')), ['singleBinary.replica']);
  const kiali = loadValues('kiali');
  t.deepEqual(
    unknownValueKeys(contract, 'kiali', renamed(kiali, ['external_services', 'tracing', 'use_grpc'], 'use_gprc')),
    ['external_services.tracing.use_gprc'],
    "Kiali's config fields are checked too (the CR schema), not just the chart's values.yaml",
  );
  const alloy = loadValues('alloy');
  t.deepEqual(unknownValueKeys(contract, 'alloy', renamed(alloy, ['alloy', 'configMap', 'content'], 'contents')), ['alloy.configMap.contents']);
  const flagger = loadValues('flagger');
  t.deepEqual(unknownValueKeys(contract, 'flagger', renamed(flagger, ['metricsServer'], 'metricServer')), ['metricServer'], "a misspelt metricsServer would leave the chart's http://prometheus:9090");
  t.deepEqual(unknownValueKeys(contract, 'flagger', renamed(flagger, ['crd', 'create'], 'enabled')), ['crd.enabled']);
  t.deepEqual(unknownValueKeys(contract, 'flagger', renamed(flagger, ['meshProvider'], 'mesh')), ['mesh']);
  const loadtester = loadValues('flagger-loadtester');
  t.deepEqual(unknownValueKeys(contract, 'flagger-loadtester', renamed(loadtester, ['podAnnotations'], 'annotations')), ['annotations["sidecar.istio.io/proxyCPU"]', 'annotations["sidecar.istio.io/proxyMemory"]']);
});

test("Flagger's values: Istio, no Prometheus or CRD templates of its own, one replica without leader election", (t) => {
  const v = loadValues('flagger') as { meshProvider: string; prometheus: { install: boolean }; crd: { create: boolean }; leaderElection: { enabled: boolean; replicaCount: number } };
  t.is(v.meshProvider, 'istio');
  t.false(v.prometheus.install);
  t.false(v.crd.create, "the CRDs come from the chart's crds/, applied server-side by the lab; templates would make helm own (and uninstall) them");
  t.deepEqual(v.leaderElection, { enabled: false, replicaCount: 1 });
  t.deepEqual(releaseFact(contract, 'flagger').crds, ['alertproviders.flagger.app', 'canaries.flagger.app', 'metrictemplates.flagger.app'], 'crds/ has the three CRDs');
  t.deepEqual(releaseFact(contract, 'flagger').workloads.map((w) => `${w.kind}/${w.name}×${w.replicas}`), ['Deployment/flagger×1']);
});

test('the rule: known keys, maps on the way to them, free-form maps, template-only keys', (t) => {
  t.true(keyPathExists(contract, 'kube-prometheus-stack', 'prometheus.prometheusSpec'), 'a map on the way to known keys');
  t.true(keyPathExists(contract, 'kube-prometheus-stack', 'prometheus.prometheusSpec.nodeSelector["anything.example/key"]'), 'under an empty-map default');
  t.true(keyPathExists(contract, 'kube-prometheus-stack', 'grafana["grafana.ini"].server.root_url'), 'grafana.ini is copied into the ini file whole');
  t.false(keyPathExists(contract, 'kube-prometheus-stack', 'prometheus.prometheusSpec.retention.days'), 'nothing goes under a scalar');
  t.true(keyPathExists(contract, 'jaeger', 'jaeger.resources.limits.memory'), "jaeger.resources: read by the chart's Deployment, only a comment in its values.yaml");
  t.true(releaseFact(contract, 'jaeger').keys.templateOnly.includes('jaeger.resources'));
  t.false(keyPathExists(contract, 'jaeger', 'jaeger.resource.limits.memory'));
  t.true(keyPathExists(contract, 'kiali', 'istio_namespace'), "a Kiali config field the chart's values.yaml does not list");
  t.false(keyPathExists(contract, 'kiali', 'istio_namespaces'));
});

test('key paths: keys with dots are bracketed, and decode back', (t) => {
  const p = ['grafana', 'nodeSelector', 'node.kubernetes.io/nodegroup'];
  t.is(encodePath(p), 'grafana.nodeSelector["node.kubernetes.io/nodegroup"]');
  t.deepEqual(decodePath(encodePath(p)), p);
  t.deepEqual(decodePath('a["b.c"].d'), ['a', 'b.c', 'd']);
  t.throws(() => decodePath('a["b'), { message: /unclosed/ });
  t.deepEqual(
    flattenValues({ a: { b: 1, c: {}, d: [1, { e: 2 }] }, f: null }).map((k) => [encodePath(k.path), k.emptyMap]),
    [['a.b', false], ['a.c', true], ['a.d', false], ['f', false]],
    'lists are leaves; an empty map is marked',
  );
});
