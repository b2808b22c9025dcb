// What the mesh's telemetry would make of each request the fake gateway serves
// (test/exercises/fake-gateway.ts `observer`): the gateway's and front-end's sidecar's access-log
// lines in Istio's default text format, the two proxies' spans for a sampled traceparent, and
// front-end's istio_requests_total. Everything becomes visible only after a delay, and each kind
// can be lost (a share, or all of one source) or late — seeded, so a run repeats exactly. The
// stand-in Loki, Jaeger and Envoy metrics endpoint serve only what is visible at query time.
import { seededRandom } from '../seeded-random.ts';
import type { ObservedRequest } from './fake-gateway.ts';

export interface TelemetryBehaviour {
  seed?: number;
  /** Lines reach Loki this long after the request. Default 100. */
  logDelayMs?: number;
  /** This % of lines never reach Loki. */
  logDropPct?: number;
  /** No line reaches Loki at all (Alloy down). */
  noLogs?: boolean;
  /** front-end's sidecar logs nothing (only the gateway's lines arrive). */
  noFrontEndLogs?: boolean;
  /** Spans reach Jaeger this long after the request. Default 100. */
  spanDelayMs?: number;
  spanDropPct?: number;
  noSpans?: boolean;
  /** Only the gateway reports its span (front-end's sidecar does not trace). */
  gatewaySpansOnly?: boolean;
  /** Requests are counted this long after they were served. Default 0. */
  counterDelayMs?: number;
  /** This % of requests are never counted. */
  counterMissPct?: number;
}

export interface LogEntry {
  labels: Record<string, string>;
  tsMs: number;
  line: string;
  visibleAt: number;
}

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  service: string;
  operationName: string;
  startUs: number;
  visibleAt: number;
}

const GATEWAY_POD = 'istio-ingressgateway-7d9f8c6b5-x2k4q';
const FRONT_END_POD: Record<string, string> = { v1: 'front-end-5c6d7f8b9-abcde', v2: 'front-end-v2-6b7c8d9f0-fghij' };
const WORKLOAD: Record<string, string> = { v1: 'front-end', v2: 'front-end-v2' };

export class FakeTelemetry {
  readonly logs: LogEntry[] = [];
  readonly spans: SpanRecord[] = [];
  /** Where front-end's sidecar counts a request it served (istio_requests_total, reporter
   * destination): the peers point it at the fake Envoy metrics endpoint. */
  count: (workload: string, responseCode: number) => void = () => undefined;
  /** Requests counted so far (after their delay), by destination_workload. */
  readonly counted = new Map<string, number>();
  private readonly random: () => number;
  private spanSeq = 1;

  constructor(readonly b: TelemetryBehaviour = {}) {
    this.random = seededRandom(b.seed ?? 3);
  }

  private hex16(): string {
    return (this.spanSeq++).toString(16).padStart(16, 'a');
  }

  /** The lab's access-log format (manifests/istio/istio-operator.yaml): Istio's default line + traceparent=…. */
  private line(r: ObservedRequest, host: string, cluster: string, traceparent: string): string {
    const ua = String(r.headers['user-agent'] ?? '-');
    return `[${new Date().toISOString()}] "GET ${r.path} HTTP/1.1" ${r.status} - via_upstream - "-" 0 12 5 4 "-" "${ua}" "req-${this.spanSeq}" "127.0.0.1" "${host}" ${cluster} - - - - - traceparent=${traceparent}\n`;
  }

  /** The gateway's observer. */
  readonly observe = (r: ObservedRequest): void => {
    const now = Date.now();
    const subset = r.subset ?? 'v1';
    const incoming = String(r.headers.traceparent ?? '-');
    const tp = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(incoming);
    const gwSpan = this.hex16();
    // front-end's sidecar sees the gateway's span as the parent (Envoy rewrites traceparent).
    const forwarded = tp ? `00-${tp[1]}-${gwSpan}-01` : '-';
    if (!this.b.noLogs) {
      const at = now + (this.b.logDelayMs ?? 100);
      const keep = () => this.random() * 100 >= (this.b.logDropPct ?? 0);
      if (keep()) this.logs.push({ labels: { namespace: 'istio-system', pod: GATEWAY_POD, container: 'istio-proxy', app: 'istio-ingressgateway' }, tsMs: now, line: this.line(r, '10.244.1.7:8079', `outbound|80|${subset}|front-end.sock-shop.svc.cluster.local`, incoming), visibleAt: at });
      if (r.upstream && !this.b.noFrontEndLogs && keep()) this.logs.push({ labels: { namespace: 'sock-shop', pod: FRONT_END_POD[subset], container: 'istio-proxy', app: 'front-end' }, tsMs: now, line: this.line(r, '10.244.1.7:8079', 'inbound|8079||', forwarded), visibleAt: at });
    }
    if (tp && !this.b.noSpans && this.random() * 100 >= (this.b.spanDropPct ?? 0)) {
      const at = now + (this.b.spanDelayMs ?? 100);
      this.spans.push({ traceId: tp[1], spanId: gwSpan, parentSpanId: tp[2], service: 'istio-ingressgateway.istio-system', operationName: 'front-end.sock-shop.svc.cluster.local:80/*', startUs: now * 1000, visibleAt: at });
      if (r.upstream && !this.b.gatewaySpansOnly) this.spans.push({ traceId: tp[1], spanId: this.hex16(), parentSpanId: gwSpan, service: 'front-end.sock-shop', operationName: 'front-end.sock-shop.svc.cluster.local:80/*', startUs: now * 1000 + 300, visibleAt: at });
    }
    if (r.upstream && this.random() * 100 >= (this.b.counterMissPct ?? 0)) {
      const bump = () => {
        this.counted.set(WORKLOAD[subset], (this.counted.get(WORKLOAD[subset]) ?? 0) + 1);
        this.count(WORKLOAD[subset], r.status);
      };
      if (this.b.counterDelayMs) setTimeout(bump, this.b.counterDelayMs).unref();
      else bump();
    }
  };
}
