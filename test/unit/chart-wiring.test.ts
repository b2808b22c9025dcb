// Every address one component is given to reach another resolves to a Service and port that the
// pinned charts create with our values (fixtures/charts/contract.json): the ENDPOINTS table, every
// URL in our Helm values (Kiali's external services, Alloy's Loki endpoint inside its config, …),
// the default Grafana datasource, Istio's tracing provider, Flagger's metrics server and the
// loadtester a Canary's webhooks call. And every workload the releases create has requests, a memory
// limit and its release's node group (or is a named per-node DaemonSet).
import test from 'ava';
import { findServicePort, inClusterTarget, loadContract, releaseFact, servicePortProblem, type ChartContract, type WorkloadFact } from '../../lab/charts/contract.ts';
import { loadValues } from '../../lab/charts/values.ts';
import { isLoopback, istioTracingTargets, urlsInValues, type WiredUrl } from '../../lab/charts/wiring.ts';
import { nodeGroupOf, PER_NODE_DAEMONSETS, workloadProblems, workloadRequests } from '../../lab/charts/workload-rules.ts';
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
  const lt = findServicePort(contract, ENDPOINTS.flaggerLoadtester.namespace, ENDPOINTS.flaggerLoadtester.service, ENDPOINTS.flaggerLoadtester.port);
  t.deepEqual(lt && [lt.release, lt.port.name, lt.port.targetPort], ['flagger-loadtester', 'http', 'http'], "the loadtester chart's Service, to the pod's http port");
});

test("the loadtester URL a Canary's webhooks are given reaches the chart's Service; a wrong port, namespace or name does not", (t) => {
  const url = clusterUrl(ENDPOINTS.flaggerLoadtester);
  t.is(url, 'http://flagger-loadtester.sock-shop.svc.cluster.local:80/');
  t.is(wiringProblem(contract, { where: 'Canary webhook', url }), '');
  t.regex(wiringProblem(contract, { where: 'Canary webhook', url: 'http://flagger-loadtester.sock-shop.svc.cluster.local:8080/' }), /flagger-loadtester has no port 8080 \(it has http 80\)/, "the container's port is not the Service's");
  t.regex(wiringProblem(contract, { where: 'Canary webhook', url: 'http://flagger-loadtester.test/' }), /no Service flagger-loadtester in test \(there is one in sock-shop\)/, "upstream's docs' namespace");
  t.regex(wiringProblem(contract, { where: 'Canary webhook', url: 'http://loadtester.sock-shop/' }), /no release creates a Service sock-shop\/loadtester/, 'the chart name is not the Service name');
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
    'flagger values metricsServer',
  ]) t.true(wheres.includes(expected), `found: ${expected}`);
  t.deepEqual(urls.map((u) => wiringProblem(contract, u)).filter(Boolean), []);
});

test('the URLs are the ENDPOINTS ones, so endpoints.ts and the values cannot drift apart', (t) => {
  const byWhere = new Map(everyWiredUrl().map((u) => [u.where, u.url]));
  t.is(byWhere.get('kiali values external_services.prometheus.url'), clusterUrl(ENDPOINTS.prometheus));
  t.is(byWhere.get('kiali values external_services.grafana.internal_url'), clusterUrl(ENDPOINTS.grafana));
  t.is(byWhere.get('alloy values alloy.configMap.content'), clusterUrl(ENDPOINTS.lokiPush));
  t.is(byWhere.get('manifests/istio/istio-operator.yaml extensionProviders jaeger'), clusterUrl(ENDPOINTS.jaegerOtlpGrpc));
  t.is(byWhere.get('flagger values metricsServer'), clusterUrl(ENDPOINTS.prometheus), "Flagger judges canaries by the lab's Prometheus");
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
  const flagger = { ...loadValues('flagger'), metricsServer: 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9091' };
  t.regex(urlsInValues('flagger', flagger).map((u) => wiringProblem(contract, u)).join('\n'), /metricsServer: .*kube-prometheus-stack-prometheus has no port 9091/);
  const upstream = { ...loadValues('flagger'), metricsServer: 'http://prometheus.monitoring:9090' };
  t.regex(urlsInValues('flagger', upstream).map((u) => wiringProblem(contract, u)).join('\n'), /no release creates a Service monitoring\/prometheus\b/, "seed 001's address is not this lab's Prometheus");
});

test("every workload has CPU and memory requests and a memory limit, and runs on its release's node group unless it is a per-node DaemonSet", (t) => {
  const all = Object.values(contract.releases).flatMap((r) => r.workloads);
  t.true(all.length >= 10 && all.some((w) => w.createdBy === 'operator'), 'operator-made StatefulSets are included');
  t.deepEqual(Object.values(contract.releases).flatMap((r) => r.workloads.flatMap((w) => workloadProblems(w, nodeGroupOf(r.release)))), []);
  t.deepEqual(['flagger', 'flagger-loadtester', 'kiali'].map(nodeGroupOf), ['deploy', 'deploy', 'system']);
  const flagger = releaseFact(contract, 'flagger').workloads[0];
  t.regex(workloadProblems(flagger, 'system').join('\n'), /does not put it on the system node group/, 'Flagger is not on system');
  t.regex(workloadProblems({ ...flagger, nodeSelector: {} }, 'deploy').join('\n'), /does not put it on the deploy node group/);
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
