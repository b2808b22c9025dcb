// Every address one component is given to reach another resolves to a Service and port that the
// pinned charts create with our values (fixtures/charts/contract.json): the ENDPOINTS table, every
// URL in our Helm values (Kiali's external services, Alloy's Loki endpoint inside its config, …),
// the default Grafana datasource, and Istio's tracing provider. And every workload the releases
// create has requests, a memory limit and the system node group (or is a named per-node DaemonSet).
import test from 'ava';
import { findServicePort, inClusterTarget, loadContract, releaseFact, servicePortProblem, type ChartContract, type WorkloadFact } from '../../lab/charts/contract.ts';
import { loadValues } from '../../lab/charts/values.ts';
import { isLoopback, istioTracingTargets, urlsInValues, type WiredUrl } from '../../lab/charts/wiring.ts';
import { PER_NODE_DAEMONSETS, workloadProblems, workloadRequests } from '../../lab/charts/workload-rules.ts';
import { NODE_GROUPS } from '../../lab/config-keys.ts';
import { notNative, pinProblem } from '../../lab/image-facts.ts';
import { loadFile } from '../../lab/manifests.ts';
import { clusterUrl, ENDPOINTS, RELEASES } from '../../lab/observability/endpoints.ts';

const contract = loadContract();

/** Why `w.url` does not reach a Service port of the contract ('' when it does). */
function wiringProblem(c: ChartContract, w: WiredUrl): string {
  const t = inClusterTarget(w.url);
  if (!t) return `${w.where}: ${w.url} names no in-cluster Service (service.namespace[.svc.cluster.local]:port)`;
  const p = servicePortProblem(c, t.namespace, t.service, t.port);
  return p ? `${w.where}: ${w.url}: ${p}` : '';
}

function everyWiredUrl(): WiredUrl[] {
  const fromValues = Object.values(RELEASES).flatMap((r) => urlsInValues(r.release, loadValues(r.release)));
  const istio = loadFile('istio/istio-operator.yaml')[0] as Parameters<typeof istioTracingTargets>[0];
  const datasources = (releaseFact(contract, 'kube-prometheus-stack').grafanaDatasources ?? []).map((d) => ({ where: `Grafana datasource ${d.name}`, url: d.url }));
  return [...fromValues.filter((u) => !isLoopback(u.url)), ...istioTracingTargets(istio, 'manifests/istio/istio-operator.yaml'), ...datasources];
}

test('every ENDPOINTS entry is a Service port some release creates', (t) => {
  for (const [name, e] of Object.entries(ENDPOINTS)) {
    t.is(servicePortProblem(contract, e.namespace, e.service, e.port), undefined, name);
  }
  const q = findServicePort(contract, 'monitoring', 'jaeger', 16685);
  t.is(q?.port.name, 'grpc-query');
  t.is(q?.release, 'jaeger');
});

test('a wrong port, a wrong name or a wrong namespace is reported, with what there is', (t) => {
  t.regex(servicePortProblem(contract, 'monitoring', 'jaeger', 16687)!, /jaeger has no port 16687 \(it has .*grpc-query 16685/);
  t.regex(servicePortProblem(contract, 'monitoring', 'jaeger-collector', 4317)!, /no release creates a Service monitoring\/jaeger-collector/);
  t.regex(servicePortProblem(contract, 'istio-system', 'jaeger', 4317)!, /no Service jaeger in istio-system \(there is one in monitoring\)/);
});

test('every URL in our values, the Grafana datasources and Istio\'s tracing provider reach a Service port', (t) => {
  const urls = everyWiredUrl();
  const wheres = urls.map((u) => u.where).join('\n');
  for (const expected of [
    'kiali values external_services.prometheus.url',
    'kiali values external_services.grafana.internal_url',
    'kiali values external_services.tracing.internal_url',
    'alloy values alloy.configMap.content',
    'manifests/istio/istio-operator.yaml extensionProviders jaeger',
    'Grafana datasource Prometheus',
  ]) t.true(wheres.includes(expected), `found: ${expected}`);
  t.deepEqual(urls.map((u) => wiringProblem(contract, u)).filter(Boolean), []);
});

test('the URLs are the ENDPOINTS ones, so endpoints.ts and the values cannot drift apart', (t) => {
  const byWhere = new Map(everyWiredUrl().map((u) => [u.where, u.url]));
  t.is(byWhere.get('kiali values external_services.prometheus.url'), clusterUrl(ENDPOINTS.prometheus));
  t.is(byWhere.get('kiali values external_services.grafana.internal_url'), clusterUrl(ENDPOINTS.grafana));
  t.is(byWhere.get('alloy values alloy.configMap.content'), clusterUrl(ENDPOINTS.lokiPush));
  t.is(byWhere.get('manifests/istio/istio-operator.yaml extensionProviders jaeger'), clusterUrl(ENDPOINTS.jaegerOtlpGrpc));
  const tracing = inClusterTarget(byWhere.get('kiali values external_services.tracing.internal_url')!);
  t.deepEqual(tracing && [tracing.service, tracing.namespace, tracing.port], [ENDPOINTS.jaegerQueryGrpc.service, ENDPOINTS.jaegerQueryGrpc.namespace, ENDPOINTS.jaegerQueryGrpc.port]);
  const kialiTracing = (loadValues('kiali') as { external_services: { tracing: { use_grpc?: boolean } } }).external_services.tracing;
  t.is(kialiTracing.use_grpc, true, 'Kiali is given the gRPC query port, so it must speak gRPC');
});

test('misbehaving values are caught: a wrong port in Kiali, a misspelt Service in Alloy, an Istio provider in the wrong namespace', (t) => {
  const kiali = structuredClone(loadValues('kiali')) as { external_services: { tracing: { internal_url: string } } };
  kiali.external_services.tracing.internal_url = 'http://jaeger.monitoring.svc.cluster.local:16687';
  t.regex(urlsInValues('kiali', kiali).map((u) => wiringProblem(contract, u)).join('\n'), /tracing\.internal_url: .*jaeger has no port 16687/);
  const alloy = structuredClone(loadValues('alloy')) as { alloy: { configMap: { content: string } } };
  alloy.alloy.configMap.content = alloy.alloy.configMap.content.replace('//loki.monitoring', '//lokii.monitoring');
  t.regex(urlsInValues('alloy', alloy).map((u) => wiringProblem(contract, u)).join('\n'), /no release creates a Service monitoring\/lokii/);
  const istio = { spec: { meshConfig: { extensionProviders: [{ name: 'jaeger', opentelemetry: { service: 'jaeger-collector.istio-system.svc.cluster.local', port: 4317 } }] } } };
  t.regex(wiringProblem(contract, istioTracingTargets(istio, 'demo profile')[0]), /no release creates a Service istio-system\/jaeger-collector/);
  t.regex(wiringProblem(contract, { where: 'x', url: 'http://prometheus:9090' }), /names no in-cluster Service/);
});

test('every workload has CPU and memory requests and a memory limit, and runs on the system node group unless it is a per-node DaemonSet', (t) => {
  const all = Object.values(contract.releases).flatMap((r) => r.workloads);
  t.true(all.length >= 10 && all.some((w) => w.createdBy === 'operator'), 'operator-made StatefulSets are included');
  t.deepEqual(all.flatMap(workloadProblems), []);
  const daemonSets = all.filter((w) => w.kind === 'DaemonSet').map((w) => `${w.namespace}/${w.name}`).sort();
  t.deepEqual(daemonSets, Object.keys(PER_NODE_DAEMONSETS).sort(), 'the exceptions are exactly the DaemonSets there are');
});

test('workload rules fail on a missing limit, a missing request, a missing selector (init containers too)', (t) => {
  const good = releaseFact(contract, 'kube-prometheus-stack').workloads.find((w) => w.name.startsWith('prometheus-'))!;
  const bad: WorkloadFact = structuredClone(good);
  bad.containers[0].limits = {};
  bad.containers[1].requests = { memory: '1Mi' };
  bad.nodeSelector = {};
  const problems = workloadProblems(bad).join('\n');
  t.regex(problems, /init container init-config-reloader: no memory limit/);
  t.regex(problems, /container prometheus: no cpu request/);
  t.regex(problems, /does not put it on the system node group/);
  const ds: WorkloadFact = { ...structuredClone(good), kind: 'DaemonSet', name: 'something-else', nodeSelector: {} };
  t.regex(workloadProblems(ds).join('\n'), /system node group/, 'a DaemonSet not named as per-node is not exempt');
});

test('the whole observability stack requests at most 1.5 CPU and 3 GiB (default workers + control plane)', (t) => {
  const nodes = NODE_GROUPS.length + 1;
  let cpu = 0;
  let mem = 0;
  for (const r of Object.values(contract.releases)) {
    for (const w of r.workloads) {
      const q = workloadRequests(w, nodes);
      cpu += q.cpuMilli;
      mem += q.memoryBytes;
    }
  }
  t.log(`requests: ${cpu}m CPU, ${(mem / 2 ** 30).toFixed(2)} GiB with ${nodes} nodes`);
  t.true(cpu > 0 && cpu <= 1500, `${cpu}m`);
  t.true(mem > 0 && mem <= 3 * 2 ** 30, `${mem}`);
});

test('every image the releases run is pinned and in the platform table, for amd64 and arm64', (t) => {
  const images = [...new Set(Object.values(contract.releases).flatMap((r) => r.images))].sort();
  t.true(images.length >= 12, images.join('\n'));
  t.deepEqual(images.map(pinProblem).filter(Boolean), []);
  for (const platform of ['linux/amd64', 'linux/arm64'] as const) t.deepEqual(notNative(images, platform), { missing: [], unknown: [] }, platform);
  t.true(images.includes('quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0'), "the operator's reloader image, from its --prometheus-config-reloader flag");
});
