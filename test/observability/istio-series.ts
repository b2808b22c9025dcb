// The check the real-Prometheus tests (and the observability exercise's tests) make on a pod's
// Istio series: they exist, and carry the labels Istio's dashboards, Kiali and Flagger query by.
import type { RunningPrometheus } from './real-prometheus.ts';

/** Labels every istio_requests_total series must have, non-empty. */
export const REQUIRED_LABELS = ['namespace', 'pod', 'reporter', 'destination_workload', 'destination_workload_namespace', 'response_code'];

export const SIDECAR_JOB = 'monitoring/istio-sidecars';

/** What is wrong with the pod's Istio series in Prometheus ([] = nothing). */
export async function istioSeriesProblems(prom: RunningPrometheus, o: { namespace: string; pod: string; job?: string }): Promise<string[]> {
  const sel = `namespace="${o.namespace}", pod="${o.pod}", job="${o.job ?? SIDECAR_JOB}"`;
  const requests = await prom.query(`istio_requests_total{${sel}}`);
  if (!requests.length) {
    const up = await prom.query(`up{${sel}}`);
    const why = up.length ? `its target is up=${up[0].value[1]}` : 'no target for it (dropped by relabeling, or never discovered)';
    return [`no istio_requests_total for ${o.namespace}/${o.pod}: ${why}`];
  }
  const problems: string[] = [];
  for (const s of requests) {
    const missing = REQUIRED_LABELS.filter((l) => !s.metric[l]);
    if (missing.length) problems.push(`istio_requests_total${JSON.stringify(s.metric)} lacks ${missing.join(', ')}`);
  }
  const buckets = await prom.query(`istio_request_duration_milliseconds_bucket{${sel}}`);
  if (!buckets.length) problems.push(`no istio_request_duration_milliseconds_bucket for ${o.namespace}/${o.pod}`);
  return problems;
}
