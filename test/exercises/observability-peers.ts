// Everything the observability exercise talks to, on 127.0.0.1, for its end-to-end tests:
// - the fake mesh (test/exercises/fake-mesh.ts) whose gateway tells a FakeTelemetry about every
//   request it serves (fake-telemetry.ts: log lines, spans, istio_requests_total);
// - Loki and Jaeger: stand-ins implementing only the query calls the exercise makes
//   (fake-loki.ts, fake-jaeger.ts), serving what the telemetry has made visible;
// - Prometheus: a REAL Prometheus (Debian's `prometheus`, test/observability/real-prometheus.ts),
//   scraping a fake istio-proxy merged-metrics endpoint (test/observability/fake-envoy.ts: Istio's
//   standard labels) that front-end's "sidecar" bumps for every request it serves, so the increase
//   the exercise sees went through a real scrape, a real TSDB and a real PromQL evaluation.
// The fake mesh's serviceUrl answers with these peers' URLs, as the port-forwards would.
import { runExercise } from '../../lab/exercises/runner.ts';
import { makeObservability, type ObservabilityTiming } from '../../lab/exercises/observability.ts';
import type { AnyExercise, ExerciseReport } from '../../lab/exercises/types.ts';
import type { EndpointName } from '../../lab/observability/endpoints.ts';
import type { FakeServer } from './fake-http.ts';
import { startFakeJaeger } from './fake-jaeger.ts';
import { startFakeLoki } from './fake-loki.ts';
import { FakeMesh, type FakeMeshOptions } from './fake-mesh.ts';
import { FakeTelemetry, type TelemetryBehaviour } from './fake-telemetry.ts';
import { seededRandom } from '../seeded-random.ts';
import { startEnvoyMetrics, type EnvoyMetrics } from '../observability/fake-envoy.ts';
import { startPrometheus, type RunningPrometheus } from '../observability/real-prometheus.ts';

/** Scrape often, so the tests' metrics deadline can be seconds, not Istio's 15 s interval. */
export const SCRAPE_INTERVAL = '500ms';

export interface Peers {
  mesh: FakeMesh;
  telemetry: FakeTelemetry;
  loki: FakeServer;
  jaeger: FakeServer;
  prometheus: RunningPrometheus;
  stop(): Promise<void>;
}

export interface PeerOptions {
  mesh?: FakeMeshOptions;
  telemetry?: TelemetryBehaviour;
  /** Leave endpoints out of the mesh's serviceUrl (as if the Service were not there). */
  without?: EndpointName[];
}

interface Metrics {
  prometheus: RunningPrometheus;
  envoy: EnvoyMetrics;
}

/** A real Prometheus scraping a fake front-end sidecar, ready once the first scrape is done
 * (Prometheus hands discovered targets to its scrapers only seconds after start, and a test's
 * deadline must measure the data, not Prometheus's start). */
async function startMetrics(): Promise<Metrics> {
  const envoy = await startEnvoyMetrics({ seed: 13 });
  const prometheus = await startPrometheus({ interval: SCRAPE_INTERVAL, scrapeConfigs: [{ job_name: 'front-end-sidecar', metrics_path: '/stats/prometheus', static_configs: [{ targets: [`127.0.0.1:${envoy.port}`] }] }] });
  const scraped = await prometheus.waitFor(async () => (await prometheus.api<{ activeTargets: Array<{ health: string }> }>('/api/v1/targets')).activeTargets.some((x) => x.health === 'up'), 20_000);
  if (!scraped) {
    await Promise.all([envoy.stop(), prometheus.stop()]);
    throw new Error(`Prometheus did not scrape the fake sidecar within 20 s:\n${prometheus.output()}`);
  }
  return { prometheus, envoy };
}

// Starting a Prometheus takes seconds, so a few are kept and lent to one run at a time: a run
// sees the counter where the previous run left it (a `before` that is not 0, as on a lab that has
// served traffic), and never another run's requests — a run's late increments are cut off when it
// ends. Each test file stops them in test.after.always(stopMetricsPool).
const POOL_SIZE = 3;
const idle: Metrics[] = [];
const waiting: Array<(m: Metrics | undefined) => void> = [];
let started = 0;
const all: Metrics[] = [];

async function borrow(): Promise<Metrics> {
  const free = idle.pop();
  if (free) return free;
  if (started < POOL_SIZE) {
    started++;
    const m = await startMetrics().catch((err) => { started--; throw err; });
    all.push(m);
    return m;
  }
  const m = await new Promise<Metrics | undefined>((resolve) => waiting.push(resolve));
  return m ?? borrow();
}

/** Two more scrapes: Prometheus has everything the last run counted before the next run reads it. */
async function settle(m: Metrics): Promise<void> {
  const from = m.envoy.scrapes();
  await m.prometheus.waitFor(async () => m.envoy.scrapes() >= from + 2, 5000);
}

async function giveBack(m: Metrics): Promise<void> {
  await settle(m);
  const next = waiting.shift();
  if (next) next(m);
  else idle.push(m);
}

export async function stopMetricsPool(): Promise<void> {
  await Promise.all(all.splice(0).map((m) => Promise.all([m.envoy.stop(), m.prometheus.stop()])));
  idle.splice(0);
  started = 0;
}

async function startPeers(o: PeerOptions, metrics: Metrics): Promise<Peers> {
  const telemetry = new FakeTelemetry(o.telemetry);
  const [loki, jaeger] = await Promise.all([startFakeLoki(telemetry), startFakeJaeger(telemetry)]);
  telemetry.count = (workload, responseCode) => metrics.envoy.addRequests(1, {
    reporter: 'destination',
    source: { workload: 'istio-ingressgateway', namespace: 'istio-system' },
    destination: { workload, namespace: 'sock-shop', app: 'front-end', service: 'front-end' },
    responseCode,
  });
  const services: Partial<Record<EndpointName, string>> = { lokiQuery: loki.url, jaegerQuery: jaeger.url, prometheus: metrics.prometheus.url };
  for (const name of o.without ?? []) delete services[name];
  const mesh = new FakeMesh({ seed: 11, ...o.mesh, services, observer: telemetry.observe });
  await mesh.start();
  return {
    mesh, telemetry, loki, jaeger, prometheus: metrics.prometheus,
    async stop() {
      telemetry.count = () => undefined;
      await Promise.all([mesh.stop(), loki.stop(), jaeger.stop()]);
    },
  };
}

/** Start the peers (with a borrowed Prometheus), run `fn`, stop them whatever happens. */
export async function withPeers<T>(o: PeerOptions, fn: (p: Peers) => Promise<T>): Promise<T> {
  const metrics = await borrow();
  try {
    const peers = await startPeers(o, metrics);
    try {
      return await fn(peers);
    } finally {
      await peers.stop();
    }
  } finally {
    await giveBack(metrics);
  }
}

export interface RunOn {
  dataPlane?: boolean;
  installed?: (step: string) => boolean;
}

/** The exercise through the real runner, against the peers. */
export function runOnPeers(exercise: AnyExercise, p: Peers, r: RunOn = {}): Promise<ExerciseReport> {
  return runExercise({
    exercise, ops: p.mesh, provider: r.dataPlane === false ? 'sim' : 'kind', dataPlane: r.dataPlane ?? true, keep: false,
    checkReady: async (needs) => needs.map((step) => ({ step, done: true })),
    installed: r.installed ?? (() => true),
  });
}

// --- the exercise with test timing and seeded ids ---------------------------------------------

/** N = 12 and deadlines of seconds, so a test waits seconds; the real Prometheus scrapes every 500 ms. */
export const FAST: ObservabilityTiming = {
  requests: 12, intervalMs: 5, requestTimeoutMs: 2000, queryTimeoutMs: 2000,
  logs: { deadlineMs: 1500, everyMs: 150 }, traces: { deadlineMs: 1500, everyMs: 150 }, metrics: { deadlineMs: 3000, everyMs: 250 },
};
export const seededHex = (seed: number) => {
  const r = seededRandom(seed);
  return (bytes: number) => Array.from({ length: bytes }, () => Math.floor(r() * 256).toString(16).padStart(2, '0')).join('');
};
export const exercise = (t: Partial<ObservabilityTiming> = {}, seed = 5) => makeObservability({ ...FAST, ...t }, seededHex(seed));
export const assertions = (r: ExerciseReport) => r.steps.find((s) => s.name === 'assert')!.assertions;
export const named = (r: ExerciseReport, prefix: string) => assertions(r).find((a) => a.name.startsWith(prefix))!;

