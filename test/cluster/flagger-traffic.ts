// A synthetic exporter of the two series Flagger's Istio metrics query: istio_requests_total and
// istio_request_duration_milliseconds_bucket, reporter="destination", for the canary workload
// (`<target>`) and the primary (`<target>-primary`) in one namespace, with the labels a real sidecar
// gives them (test/observability/fake-envoy.ts istioLabels). Traffic is generated continuously (every
// `everyMs`) while it runs, not per scrape, so a rate over any window sees it. The canary misbehaves
// on demand, switchable at run time:
//   healthy — 200s (and 1 % 404s, which Flagger counts as successes), 5–105 ms;
//   faulty  — half the canary's answers are 500/503;
//   slow    — every canary answer takes 600–1500 ms (p99 > 500 ms).
// The primary always answers like `healthy`. Durations and codes come from a seeded random source.
import { seededRandom } from '../seeded-random.ts';
import { DURATION_BUCKETS, istioLabels, type IstioRequest } from '../observability/fake-envoy.ts';
import { MetricSet, serveMetrics } from '../observability/fake-metrics.ts';
import type { ScrapeConfig } from '../../lab/observability/scrape-config.ts';

export const TRAFFIC_MODES = ['healthy', 'faulty', 'slow'] as const;
export type TrafficMode = (typeof TRAFFIC_MODES)[number];

export interface CanaryTrafficOptions {
  seed: number;
  namespace: string;
  /** The Canary's targetRef name: the canary workload; the primary is `<target>-primary`. */
  target: string;
  /** The Service Flagger fronts them with (destination_service_name); default the target. */
  service?: string;
  /** Requests added to each workload every tick (default 5). */
  perTick?: number;
  /** Tick length (default 200 ms). */
  everyMs?: number;
  mode?: TrafficMode;
}

export interface WorkloadCounts { total: number; errors: number; slow: number }

export interface CanaryTraffic {
  /** http://127.0.0.1:<port>/metrics */
  url: string;
  port: number;
  /** A static scrape job for it (job "flagger-istio"). */
  scrapeConfig(interval?: string): ScrapeConfig;
  mode(): TrafficMode;
  setMode(mode: TrafficMode): void;
  /** What has been generated so far for one workload (`<target>` or `<target>-primary`). */
  counts(workload: string): WorkloadCounts;
  scrapes(): number;
  stop(): Promise<void>;
}

const SLOW_MS = 500;

export async function startCanaryTraffic(o: CanaryTrafficOptions): Promise<CanaryTraffic> {
  if (!TRAFFIC_MODES.includes(o.mode ?? 'healthy')) throw new Error(`unknown traffic mode ${o.mode} (one of ${TRAFFIC_MODES.join(', ')})`);
  const random = seededRandom(o.seed);
  const service = o.service ?? o.target;
  const primary = `${o.target}-primary`;
  let mode: TrafficMode = o.mode ?? 'healthy';
  const m = new MetricSet()
    .define('istio_requests_total', 'counter', 'Requests, by Istio standard labels.')
    .define('istio_request_duration_milliseconds', 'histogram', 'Request duration.', DURATION_BUCKETS);
  const counts = new Map<string, WorkloadCounts>([o.target, primary].map((w) => [w, { total: 0, errors: 0, slow: 0 }]));

  const request = (workload: string, responseCode: number): IstioRequest => ({
    reporter: 'destination',
    source: { workload: 'istio-ingressgateway', namespace: 'istio-system' },
    destination: { workload, namespace: o.namespace, app: service, service },
    responseCode,
  });
  const answer = (workload: string, as: TrafficMode) => {
    const code = as === 'faulty' && random() < 0.5 ? (random() < 0.5 ? 500 : 503) : random() < 0.01 ? 404 : 200;
    const ms = as === 'slow' ? 600 + 900 * random() : 5 + 100 * random() ** 2;
    const labels = istioLabels(request(workload, code));
    m.inc('istio_requests_total', labels);
    m.observe('istio_request_duration_milliseconds', labels, ms);
    const c = counts.get(workload)!;
    c.total += 1;
    if (code >= 500) c.errors += 1;
    if (ms > SLOW_MS) c.slow += 1;
  };
  const tick = () => {
    for (let i = 0; i < (o.perTick ?? 5); i += 1) {
      answer(o.target, mode);
      answer(primary, 'healthy');
    }
  };
  tick(); // every series exists from the first scrape on
  const timer = setInterval(tick, o.everyMs ?? 200);
  const server = await serveMetrics({ path: '/metrics', metrics: m });
  return {
    url: server.url,
    port: server.port,
    scrapeConfig: (interval = '1s') => ({ job_name: 'flagger-istio', scrape_interval: interval, scrape_timeout: interval, static_configs: [{ targets: [`127.0.0.1:${server.port}`] }] }),
    mode: () => mode,
    setMode: (next) => {
      if (!TRAFFIC_MODES.includes(next)) throw new Error(`unknown traffic mode ${next} (one of ${TRAFFIC_MODES.join(', ')})`);
      mode = next;
    },
    counts: (workload) => {
      const c = counts.get(workload);
      if (!c) throw new Error(`no traffic is generated for ${workload} (only ${[...counts.keys()].join(', ')})`);
      return { ...c };
    },
    scrapes: server.scrapes,
    stop: async () => { clearInterval(timer); await server.stop(); },
  };
}
