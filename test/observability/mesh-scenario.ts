// The sock-shop mesh as a real Prometheus would find it, without a cluster: fake istio-proxy
// endpoints for the gateway and a few sock-shop pods, a fake istiod and a fake kubelet, each handed
// to Prometheus as a static target carrying the __meta_kubernetes_* labels Kubernetes discovery
// would give it, through the scrape configs prometheus-operator would generate from the lab's
// monitors (lab/observability/scrape-config.ts). Reused by the monitor, dashboard and exercise tests.
import { createServer as createNetServer } from 'node:net';
import { loadManifests } from '../../lab/manifests.ts';
import { scrapeConfigsFor, type Monitor, type StaticTarget } from '../../lab/observability/scrape-config.ts';
import { startEnvoyMetrics, type EnvoyMetrics, type Flow, type TcpFlow } from './fake-envoy.ts';
import { startIstiodMetrics } from './fake-istiod.ts';
import { startKubeletMetrics } from './fake-kubelet.ts';
import type { MetricsServer, Misbehaviour } from './fake-metrics.ts';
import { startPrometheus, type RunningPrometheus } from './real-prometheus.ts';

export interface ScenarioPod {
  namespace: string;
  pod: string;
  app: string;
  /** The container the target is for (Kubernetes discovery gives one target per container port). */
  container?: string;
  /** Which prometheus.io/* annotations the injector left (default: all three). */
  annotations?: { scrape?: boolean; port?: 'metrics' | 'closed'; path?: boolean };
  flows?: Flow[];
  tcpFlows?: Array<TcpFlow & { bytesPerScrape: number }>;
  misbehave?: Misbehaviour;
}

const gw = { workload: 'istio-ingressgateway', namespace: 'istio-system' };
const ss = (workload: string) => ({ workload, namespace: 'sock-shop' });
const svc = (workload: string) => ({ ...ss(workload), service: workload });
const OK = { 200: 90, 404: 6, 503: 4 };

/** The pods of the sample mesh and the traffic each sidecar reports. */
export const SOCK_SHOP_PODS: ScenarioPod[] = [
  { namespace: 'istio-system', pod: 'istio-ingressgateway-7c9d8f6b5-x4k2q', app: 'istio-ingressgateway',
    flows: [{ reporter: 'source', source: gw, destination: svc('front-end'), perScrape: 6, codes: OK }] },
  { namespace: 'sock-shop', pod: 'front-end-6d8f7b9c4d-k2x7p', app: 'front-end',
    flows: [
      { reporter: 'destination', source: gw, destination: svc('front-end'), perScrape: 6, codes: OK },
      { reporter: 'source', source: ss('front-end'), destination: svc('catalogue'), perScrape: 4, codes: { 200: 1 } },
      { reporter: 'source', source: ss('front-end'), destination: svc('carts'), perScrape: 2, codes: { 200: 9, 500: 1 } },
    ] },
  { namespace: 'sock-shop', pod: 'catalogue-5f9b7d8c6-q8w2n', app: 'catalogue',
    flows: [{ reporter: 'destination', source: ss('front-end'), destination: svc('catalogue'), perScrape: 4, codes: { 200: 1 } }] },
  { namespace: 'sock-shop', pod: 'carts-84c5b6d9f7-m3v8z', app: 'carts',
    flows: [{ reporter: 'destination', source: ss('front-end'), destination: svc('carts'), perScrape: 2, codes: { 200: 9, 500: 1 } }],
    tcpFlows: [{ reporter: 'source', source: ss('carts'), destination: svc('carts-db'), bytesPerScrape: 4000 }] },
  { namespace: 'sock-shop', pod: 'carts-db-69f8c7d5b4-t7r1c', app: 'carts-db',
    tcpFlows: [{ reporter: 'destination', source: ss('carts'), destination: svc('carts-db'), bytesPerScrape: 4000 }] },
];

export const ISTIOD_POD = 'istiod-5d7f9c8b6-p2w4e';

/** A pod-role target: what Kubernetes discovery gives for one container port of the pod. */
export function podTarget(p: ScenarioPod, metricsPort: number): StaticTarget {
  const container = p.container ?? 'istio-proxy';
  const a = { scrape: true, port: 'metrics', path: true, ...p.annotations };
  const annotations: Record<string, string> = {};
  if (a.scrape) annotations.prometheus_io_scrape = 'true';
  if (a.port) annotations.prometheus_io_port = String(metricsPort);
  if (a.path) annotations.prometheus_io_path = '/stats/prometheus';
  const [portName, portNumber] = container === 'istio-proxy' ? ['http-envoy-prom', 15090] : ['http', 8079];
  const labels: Record<string, string> = {
    __meta_kubernetes_namespace: p.namespace,
    __meta_kubernetes_pod_name: p.pod,
    __meta_kubernetes_pod_ip: '127.0.0.1',
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_node_name: 'lab-worker',
    __meta_kubernetes_pod_container_name: container,
    __meta_kubernetes_pod_container_init: 'false',
    __meta_kubernetes_pod_container_port_name: portName,
    __meta_kubernetes_pod_container_port_number: String(portNumber),
    __meta_kubernetes_pod_container_port_protocol: 'TCP',
    __meta_kubernetes_pod_label_app: p.app,
    __meta_kubernetes_pod_labelpresent_app: 'true',
    __meta_kubernetes_pod_label_security_istio_io_tlsMode: 'istio',
    __meta_kubernetes_pod_labelpresent_security_istio_io_tlsMode: 'true',
    __meta_kubernetes_pod_controller_kind: 'ReplicaSet',
    __meta_kubernetes_pod_controller_name: p.pod.replace(/-[a-z0-9]{5}$/, ''),
  };
  for (const [k, v] of Object.entries(annotations)) {
    labels[`__meta_kubernetes_pod_annotation_${k}`] = v;
    labels[`__meta_kubernetes_pod_annotationpresent_${k}`] = 'true';
  }
  // The container port itself: nothing listens there, so only the annotation's port can be scraped.
  return { address: `127.0.0.1:${portNumber}`, labels };
}

/** An endpoints-role target of a Service (istiod's, unless overridden). */
export function serviceTarget(port: number, o: { service?: string; serviceLabels?: Record<string, string>; portName?: string } = {}): StaticTarget {
  const service = o.service ?? 'istiod';
  const labels: Record<string, string> = {
    __meta_kubernetes_namespace: 'istio-system',
    __meta_kubernetes_service_name: service,
    __meta_kubernetes_endpoint_port_name: o.portName ?? 'http-monitoring',
    __meta_kubernetes_endpoint_port_protocol: 'TCP',
    __meta_kubernetes_endpoint_ready: 'true',
    __meta_kubernetes_endpoint_address_target_kind: 'Pod',
    __meta_kubernetes_endpoint_address_target_name: ISTIOD_POD,
    __meta_kubernetes_pod_name: ISTIOD_POD,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_container_name: 'discovery',
  };
  for (const [k, v] of Object.entries(o.serviceLabels ?? { app: 'istiod', istio: 'pilot' })) {
    labels[`__meta_kubernetes_service_label_${k}`] = v;
    labels[`__meta_kubernetes_service_labelpresent_${k}`] = 'true';
  }
  return { address: `127.0.0.1:${port}`, labels };
}

/** The lab's own monitors, as `kubectl kustomize manifests/observability/monitors` builds them. */
export const labMonitors = () => loadManifests('observability/monitors') as unknown as Monitor[];

export interface ScenarioOptions {
  seed: number;
  /** Default: the lab's monitors. */
  monitors?: Monitor[];
  /** More pods (misbehaving ones) besides SOCK_SHOP_PODS. */
  extraPods?: ScenarioPod[];
  /** More istiod-like Service endpoints, each on a fake istiod. */
  extraServices?: Array<Parameters<typeof serviceTarget>[1]>;
}

export interface MeshScenario {
  prometheus: RunningPrometheus;
  envoys: Map<string, EnvoyMetrics>;
  istiod: MetricsServer;
  kubelet: MetricsServer;
  /** Wait until every good fake was scraped at least `n` times. */
  waitForScrapes(n: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startMeshScenario(o: ScenarioOptions): Promise<MeshScenario> {
  const pods = [...SOCK_SHOP_PODS, ...(o.extraPods ?? [])];
  const stops: Array<() => Promise<void>> = [];
  const envoys = new Map<string, EnvoyMetrics>();
  try {
    // The "wrong port": a port held for the whole scenario by a socket that resets every connection,
    // so no later fake (nor Prometheus) can be given the same number and make the target look up.
    const closed = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => { closed.once('error', reject); closed.listen(0, '127.0.0.1', () => resolve()); });
    stops.push(() => new Promise<void>((resolve) => closed.close(() => resolve())));
    const closedPort = (closed.address() as { port: number }).port;
    const podTargets: StaticTarget[] = [];
    for (const [i, p] of pods.entries()) {
      const envoy = await startEnvoyMetrics({ seed: o.seed + i, flows: p.flows, tcpFlows: p.tcpFlows, misbehave: p.misbehave });
      stops.push(envoy.stop);
      envoys.set(p.pod, envoy);
      podTargets.push(podTarget(p, p.annotations?.port === 'closed' ? closedPort : envoy.port));
    }
    const istiod = await startIstiodMetrics({ seed: o.seed + 100, proxies: SOCK_SHOP_PODS.length });
    stops.push(istiod.stop);
    const serviceTargets = [serviceTarget(istiod.port)];
    for (const s of o.extraServices ?? []) {
      const other = await startIstiodMetrics({ seed: o.seed + 101, proxies: 1 });
      stops.push(other.stop);
      serviceTargets.push(serviceTarget(other.port, s));
    }
    const containers = [
      ...SOCK_SHOP_PODS.map((p) => ({ namespace: p.namespace, pod: p.pod, container: 'istio-proxy' })),
      { namespace: 'istio-system', pod: ISTIOD_POD, container: 'discovery' },
    ];
    const kubelet = await startKubeletMetrics({ seed: o.seed + 200, containers });
    stops.push(kubelet.stop);

    const scrapeConfigs = (o.monitors ?? labMonitors()).flatMap((m) =>
      scrapeConfigsFor(m, { staticTargets: m.kind === 'PodMonitor' ? podTargets : serviceTargets, interval: '1s' }));
    // kube-prometheus-stack's kubelet ServiceMonitor (the chart's, not ours): cAdvisor's own labels kept.
    scrapeConfigs.push({ job_name: 'kubelet', honor_labels: true, metrics_path: '/metrics/cadvisor', static_configs: [{ targets: [`127.0.0.1:${kubelet.port}`] }] });
    const prometheus = await startPrometheus({ scrapeConfigs });
    stops.push(prometheus.stop);

    const good = [...SOCK_SHOP_PODS.map((p) => envoys.get(p.pod)!), istiod, kubelet];
    return {
      prometheus,
      envoys,
      istiod,
      kubelet,
      waitForScrapes: async (n) => {
        const ok = await prometheus.waitFor(async () => good.every((f) => f.scrapes() >= n), 20000);
        if (!ok) throw new Error(`fakes not scraped ${n} times within 20 s (scrapes: ${good.map((f) => f.scrapes()).join(', ')}):\n${prometheus.output()}`);
      },
      stop: async () => { for (const s of stops.reverse()) await s(); },
    };
  } catch (err) {
    for (const s of stops.reverse()) await s();
    throw err;
  }
}
