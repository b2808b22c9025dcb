// observability (seed 000: Loki, Jaeger and Prometheus, wired by hand there): the mesh's three
// kinds of telemetry, each followed from one request to where a user reads it. N requests go
// through the ingress gateway to sock-shop's front-end, each with a marker in its query string
// and its own sampled W3C traceparent; then, all at once and each against its own deadline:
// the access-log lines are in Loki, the traces in Jaeger with the gateway's and front-end's
// spans, and istio_requests_total for front-end rose by at least N in Prometheus. The backends
// are reached through port-forwards (MeshOps.serviceUrl) that the runner closes at the end.
// The exercise changes nothing in the cluster, so its cleanup has nothing to restore.
import { RELEASES } from '../observability/endpoints.ts';
import { profilesWith } from '../observability/profiles.ts';
import { judge, zeroLeakSampleSize } from './assertions.ts';
import { NS } from './front-end-mesh.ts';
import { readRequests, requestsQuery, waitForLogs, waitForMetrics, waitForTraces, type LogsObservation, type MetricsObservation, type TracesObservation, type Wait } from './observability-probes.ts';
import { logSpecs, metricSpecs, trafficSpecs, traceSpecs } from './observability-specs.ts';
import { cryptoHex, newRunIds, sendMarked, type HexSource, type MarkedTrafficReport, type RunIds } from './observability-traffic.ts';
import type { Exercise } from './types.ts';

export interface ObservabilityTiming {
  /** N: requests sent, and how many of each kind of evidence must arrive. */
  requests: number;
  /** Pause between two requests (one at a time: gentle on a laptop, and each easy to tell apart). */
  intervalMs: number;
  /** Per request and per query. */
  requestTimeoutMs: number;
  queryTimeoutMs: number;
  logs: Wait;
  traces: Wait;
  metrics: Wait;
}

/**
 * N = 44: a pipeline that loses ≥ 10% of lines or spans misses at least one of 44 with 99%
 * probability (⌈ln 0.01 / ln 0.9⌉), and 44 paced requests take a few seconds.
 * Deadlines, counted from the last answer: logs 60 s (Alloy tails the container log and pushes in
 * batches within seconds; Loki serves lines from its ingester at once); metrics 90 s (Istio's
 * PodMonitor scrapes every 15 s; Istio's own telemetry tests wait up to 80 s, polling every 2 s);
 * traces 150 s (Envoy's OpenTelemetry tracer exports in batches; Istio's tracing tests wait 150 s,
 * polling every 3 s).
 */
export const TIMING: ObservabilityTiming = {
  requests: zeroLeakSampleSize(0.1, 0.99),
  intervalMs: 50,
  requestTimeoutMs: 10_000,
  queryTimeoutMs: 10_000,
  logs: { deadlineMs: 60_000, everyMs: 2_000 },
  metrics: { deadlineMs: 90_000, everyMs: 2_000 },
  traces: { deadlineMs: 150_000, everyMs: 3_000 },
};

/** Step names of the log pipeline (lab/observability/endpoints.ts RELEASES); profiles: lab/observability/profiles.ts. */
export const LOG_STEPS = [RELEASES.loki.release, RELEASES.alloy.release];
export const LOKI_SKIP_REASON = `Loki is installed with LAB_PROFILE=${profilesWith('loki').join(' or ')}`;

export interface ObservabilityObserved {
  ids: RunIds;
  traffic: MarkedTrafficReport | undefined;
  logs: LogsObservation | undefined;
  /** Why the log assertion is skipped though traffic ran (Loki not in this profile). */
  logsSkipped?: string;
  traces: TracesObservation | undefined;
  metrics: MetricsObservation | undefined;
}

export function makeObservability(t: ObservabilityTiming = TIMING, hex: HexSource = cryptoHex): Exercise<RunIds, ObservabilityObserved> {
  const n = t.requests;
  return {
    name: 'observability',
    summary: `${n} marked requests through the gateway: access-log lines in Loki, traces in Jaeger (gateway + front-end spans), istio_requests_total +${n} in Prometheus, each within its deadline`,
    needs: ['istio', 'samples', RELEASES.prometheusStack.release, RELEASES.jaeger.release],
    manifests: () => ({}),

    // Nothing to change: only this run's marker and trace ids.
    setup: async () => newRunIds(n, hex),

    async act(x, ids) {
      const logsSkipped = LOG_STEPS.every((s) => x.installed(s)) ? undefined
        : x.installed(RELEASES.loki.release) ? 'Alloy, which ships the logs to Loki, is not installed in this profile' : LOKI_SKIP_REASON;
      // A failed reading is kept, not thrown: the metrics assertion fails with it, the others still run.
      const before = await x.traffic('read istio_requests_total for front-end in Prometheus before the traffic', async () =>
        readRequests(x.ops, t.queryTimeoutMs).then((value): { value: number | null; error?: string } => ({ value }), (err: Error) => ({ value: null, error: err.message })));
      const traffic = await x.traffic(`${n} requests to front-end through the gateway, each with a lab-marker and a sampled traceparent`, async () =>
        sendMarked({ base: await x.ops.ingressUrl(), ids, intervalMs: t.intervalMs, timeoutMs: t.requestTimeoutMs }));
      const since = traffic?.endedAt ?? Date.now();
      const ran = traffic !== undefined;
      const wait = <T>(title: string, fn: () => Promise<T>) => x.traffic(title, async () => (ran ? fn() : undefined));
      const [logs, traces, metrics] = await Promise.all([
        logsSkipped ? undefined : wait(`until Loki has the ${n} requests' access-log lines (≤ ${t.logs.deadlineMs / 1000} s)`, () => waitForLogs(x.ops, ids, n, since, traffic!.startedAt, t.logs, t.queryTimeoutMs)),
        wait(`until Jaeger has the ${n} traces with gateway and front-end spans (≤ ${t.traces.deadlineMs / 1000} s)`, () => waitForTraces(x.ops, ids, since, t.traces, t.queryTimeoutMs)),
        wait(`until Prometheus counts ≥ ${n} more requests to front-end (≤ ${t.metrics.deadlineMs / 1000} s)`, async (): Promise<MetricsObservation> =>
          before?.error === undefined ? waitForMetrics(x.ops, n, before?.value ?? null, since, t.metrics, t.queryTimeoutMs)
            : { query: requestsQuery(), n, before: null, after: null, rise: null, beforeError: before.error }),
      ]);
      return { ids, traffic, logs, logsSkipped, traces, metrics };
    },

    assert: (o, skipReason) => [
      ...judge(o.traffic, skipReason, trafficSpecs(n)),
      ...judge(o.logs, o.logsSkipped ?? skipReason, logSpecs(n, t.logs.deadlineMs)),
      ...judge(o.traces, skipReason, traceSpecs(n, t.traces.deadlineMs)),
      ...judge(o.metrics, skipReason, metricSpecs(n, t.metrics.deadlineMs)),
    ],

    // Nothing was changed in the cluster: nothing to restore. The port-forwards are closed by the runner.
    cleanup: async () => undefined,

    diagnose: (x, ids) => x.ops.collect([
      ...(ids ? [
        { title: "the gateway's own access log: does Envoy log the marked requests at all?", tool: 'kubectl' as const, args: ['logs', '-n', 'istio-system', 'deploy/istio-ingressgateway', '-c', 'istio-proxy', '--tail=500'], filter: (l: string) => l.includes(ids.run), tailLines: 10 },
        { title: "front-end's sidecar access log (the marked requests)", tool: 'kubectl' as const, args: ['logs', '-n', NS, 'deploy/front-end', '-c', 'istio-proxy', '--tail=500'], filter: (l: string) => l.includes(ids.run), tailLines: 10 },
      ] : []),
      { title: 'the observability pods (Prometheus, Grafana, Jaeger, Loki, Alloy)', tool: 'kubectl', args: ['get', 'pods', '-n', RELEASES.jaeger.namespace, '-o', 'wide'] },
      { title: 'the mesh-wide Telemetry (tracing provider and sampling)', tool: 'kubectl', args: ['get', 'telemetries.telemetry.istio.io', '-n', 'istio-system', '-o', 'yaml'], tailLines: 40 },
      { title: `recent events in ${RELEASES.jaeger.namespace}`, tool: 'kubectl', args: ['get', 'events', '-n', RELEASES.jaeger.namespace, '--sort-by=.lastTimestamp'], tailLines: 25 },
      { title: 'Jaeger (its log: spans received, storage)', tool: 'kubectl', args: ['logs', '-n', RELEASES.jaeger.namespace, `deploy/${RELEASES.jaeger.release}`, '--tail=40'] },
    ]),
  };
}

export const observability = makeObservability();
