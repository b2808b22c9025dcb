// A fake istio-proxy merged-metrics endpoint (pilot-agent's :15020/stats/prometheus): Istio's
// standard series with the labels a real Istio 1.30 sidecar gives them (istio_requests_total,
// istio_request_duration_milliseconds, istio_request_bytes, istio_response_bytes, the TCP
// counters) and one of Envoy's server.* stats. Durations and sizes are drawn from a seeded random
// source. `flows` add traffic on every scrape, so rates are never zero; `addRequests` adds more.
import { seededRandom } from '../seeded-random.ts';
import { MetricSet, serveMetrics, type Labels, type MetricsServer, type Misbehaviour } from './fake-metrics.ts';

export interface Workload {
  workload: string;
  namespace: string;
  /** The app / canonical-service name (default: the workload's). */
  app?: string;
}

export interface IstioRequest {
  reporter: 'source' | 'destination';
  source: Workload;
  destination: Workload & { service: string };
  responseCode: number;
}

export interface TcpFlow { reporter: 'source' | 'destination'; source: Workload; destination: Workload & { service: string } }

/** Traffic added on every scrape: `perScrape` requests with codes drawn by weight. */
export interface Flow extends Omit<IstioRequest, 'responseCode'> {
  perScrape: number;
  codes: Record<number, number>;
}

// Istio's default buckets (milliseconds) and the byte-size buckets of its stats plugin.
export const DURATION_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
const BYTE_BUCKETS = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];

function peerLabels(side: 'source' | 'destination', w: Workload): Labels {
  const app = w.app ?? w.workload;
  return {
    [`${side}_workload`]: w.workload,
    [`${side}_workload_namespace`]: w.namespace,
    [`${side}_principal`]: `spiffe://cluster.local/ns/${w.namespace}/sa/${app}`,
    [`${side}_app`]: app,
    [`${side}_version`]: 'unknown',
    [`${side}_canonical_service`]: app,
    [`${side}_canonical_revision`]: 'latest',
    [`${side}_cluster`]: 'Kubernetes',
  };
}

/** The labels Istio's stats plugin puts on istio_requests_total and its histograms. */
export function istioLabels(r: IstioRequest): Labels {
  const d = r.destination;
  return {
    reporter: r.reporter,
    ...peerLabels('source', r.source),
    ...peerLabels('destination', d),
    destination_service: `${d.service}.${d.namespace}.svc.cluster.local`,
    destination_service_name: d.service,
    destination_service_namespace: d.namespace,
    request_protocol: 'http',
    response_code: String(r.responseCode),
    grpc_response_status: '',
    response_flags: r.responseCode >= 500 ? 'URX' : '-',
    connection_security_policy: r.reporter === 'destination' ? 'mutual_tls' : 'unknown',
  };
}

function tcpLabels(f: TcpFlow): Labels {
  const { request_protocol: _p, response_code: _c, grpc_response_status: _g, ...rest } = istioLabels({ ...f, responseCode: 0 });
  return { ...rest, request_protocol: 'tcp', response_flags: '-' };
}

export interface EnvoyMetrics extends MetricsServer {
  addRequests(n: number, request: IstioRequest): void;
  addTcp(bytes: number, flow: TcpFlow): void;
}

export interface EnvoyOptions {
  seed: number;
  flows?: Flow[];
  tcpFlows?: Array<TcpFlow & { bytesPerScrape: number }>;
  misbehave?: Misbehaviour;
}

export async function startEnvoyMetrics(opts: EnvoyOptions): Promise<EnvoyMetrics> {
  const random = seededRandom(opts.seed);
  const m = new MetricSet()
    .define('istio_requests_total', 'counter', 'Requests, by Istio standard labels.')
    .define('istio_request_duration_milliseconds', 'histogram', 'Request duration.', DURATION_BUCKETS)
    .define('istio_request_bytes', 'histogram', 'Request sizes.', BYTE_BUCKETS)
    .define('istio_response_bytes', 'histogram', 'Response sizes.', BYTE_BUCKETS)
    .define('istio_tcp_sent_bytes_total', 'counter', 'TCP bytes sent.')
    .define('istio_tcp_received_bytes_total', 'counter', 'TCP bytes received.')
    .define('istio_tcp_connections_opened_total', 'counter', 'TCP connections opened.')
    .define('envoy_server_memory_allocated', 'gauge', 'Envoy heap allocated, bytes.');

  const addRequests = (n: number, r: IstioRequest) => {
    const labels = istioLabels(r);
    for (let i = 0; i < n; i += 1) {
      m.inc('istio_requests_total', labels);
      m.observe('istio_request_duration_milliseconds', labels, 2 + 400 * random() ** 3);
      m.observe('istio_request_bytes', labels, Math.round(200 + 800 * random()));
      m.observe('istio_response_bytes', labels, Math.round(500 + 20000 * random()));
    }
  };
  const addTcp = (bytes: number, f: TcpFlow) => {
    const labels = tcpLabels(f);
    m.inc('istio_tcp_sent_bytes_total', labels, Math.round(bytes * 0.3));
    m.inc('istio_tcp_received_bytes_total', labels, bytes);
    m.inc('istio_tcp_connections_opened_total', labels, 1);
  };
  const pickCode = (codes: Record<number, number>) => {
    const entries = Object.entries(codes);
    let r = random() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [code, w] of entries) { r -= w; if (r <= 0) return Number(code); }
    return Number(entries[entries.length - 1][0]);
  };
  const beforeScrape = () => {
    for (const f of opts.flows ?? []) {
      // Every code of the flow appears from the first scrape on, so each series exists.
      for (const code of Object.keys(f.codes)) addRequests(1, { ...f, responseCode: Number(code) });
      for (let i = 0; i < f.perScrape; i += 1) addRequests(1, { ...f, responseCode: pickCode(f.codes) });
    }
    for (const t of opts.tcpFlows ?? []) addTcp(Math.round(t.bytesPerScrape * (0.5 + random())), t);
    m.set('envoy_server_memory_allocated', {}, Math.round(8e6 + 4e6 * random()));
  };
  const server = await serveMetrics({ path: '/stats/prometheus', metrics: m, beforeScrape, misbehave: opts.misbehave });
  return { ...server, addRequests, addTcp };
}
