// Where the observability exercise looks for its requests, and how long it waits: Loki for the
// access-log lines, Jaeger for the traces, Prometheus for istio_requests_total. Each wait polls
// until everything is there or its deadline passes (counted from the last request's answer), and
// reports what it found, how long it took and how many attempts; a query that fails is retried
// and its last error kept, so a broken backend fails its own assertion, not the whole exercise.
import { jaegerTrace, normalTraceId } from '../checks/jaeger-query.ts';
import { lokiQueryRange, type LokiLine } from '../checks/loki-query.ts';
import { pollFor, type PollResult } from '../checks/poll.ts';
import { promQuery, singleValue } from '../checks/prom-query.ts';
import { ISTIO_NAMESPACE } from '../istio/operator.ts';
import { renderSockShop } from '../samples/sock-shop.ts';
import { GATEWAY_REF, NS } from './front-end-mesh.ts';
import type { MeshOps } from './mesh-ops-types.ts';
import { markersIn, type RunIds } from './observability-traffic.ts';

export interface Wait {
  deadlineMs: number;
  everyMs: number;
}

export interface PollSummary {
  ok: boolean;
  elapsedMs: number;
  attempts: number;
  errors: number;
  deadlineMs: number;
  everyMs: number;
  lastError?: string;
}

const summary = (r: PollResult<unknown>, w: Wait): PollSummary => ({
  ok: r.ok, elapsedMs: r.elapsedMs, attempts: r.attempts, errors: r.errors, deadlineMs: w.deadlineMs, everyMs: w.everyMs, ...(r.lastError ? { lastError: r.lastError } : {}),
});

// --- Loki -------------------------------------------------------------------------------------

/** The gateway's and front-end's istio-proxy containers, by the labels Alloy gives every pod's logs. */
export const LOG_SELECTOR = `{namespace=~"${ISTIO_NAMESPACE}|${NS}", container="istio-proxy"}`;
export const logQuery = (ids: RunIds) => `${LOG_SELECTOR} |= "lab-marker=${ids.run}."`;
/** Clock skew between this machine and the node that stamped the lines (a minikube VM). */
const WINDOW_MARGIN_MS = 120_000;

const fromGateway = (l: Record<string, string>) => l.namespace === ISTIO_NAMESPACE && (l.app === GATEWAY_REF.name || (l.pod ?? '').startsWith(`${GATEWAY_REF.name}-`));
const fromFrontEnd = (l: Record<string, string>) => l.namespace === NS && (l.app === 'front-end' || (l.pod ?? '').startsWith('front-end-'));

export interface SourceCount {
  /** Lines with one of this run's markers. */
  lines: number;
  /** Distinct requests (of 0…n-1) those lines are for. */
  requests: number;
  /** Lines that also carry their request's trace id (the lab's access-log format ends with
   * traceparent=…, which Grafana's Loki datasource links to Jaeger). Reported, not required. */
  withTraceId: number;
}

export interface LogsObservation {
  query: string;
  n: number;
  gateway: SourceCount;
  frontEnd: SourceCount;
  /** Marked lines from any other stream (a label set neither source matches). */
  otherLines: number;
  poll: PollSummary;
}

export function countLogs(lines: LokiLine[], ids: RunIds, n: number): Omit<LogsObservation, 'query' | 'poll'> {
  const count = () => ({ seen: new Set<number>(), lines: 0, withTraceId: 0 });
  const gw = count();
  const fe = count();
  let other = 0;
  for (const l of lines) {
    const marks = markersIn(l.line, ids.run).filter((i) => i >= 0 && i < n);
    if (marks.length === 0) continue;
    const c = fromGateway(l.labels) ? gw : fromFrontEnd(l.labels) ? fe : undefined;
    if (!c) { other++; continue; }
    c.lines++;
    marks.forEach((i) => c.seen.add(i));
    if (marks.some((i) => l.line.includes(ids.traceIds[i]))) c.withTraceId++;
  }
  const out = (c: ReturnType<typeof count>): SourceCount => ({ lines: c.lines, requests: c.seen.size, withTraceId: c.withTraceId });
  return { n, gateway: out(gw), frontEnd: out(fe), otherLines: other };
}

export async function waitForLogs(ops: MeshOps, ids: RunIds, n: number, since: number, startedAt: number, w: Wait, timeoutMs: number): Promise<LogsObservation> {
  const query = logQuery(ids);
  const limit = Math.min(5000, 10 * n + 100);
  const probe = async () => countLogs(await lokiQueryRange(await ops.serviceUrl('lokiQuery'), {
    query, startMs: startedAt - WINDOW_MARGIN_MS, endMs: Date.now() + WINDOW_MARGIN_MS, limit,
  }, { timeoutMs }), ids, n);
  const r = await pollFor(probe, (c) => c.gateway.requests === n && c.frontEnd.requests === n, { ...w, since });
  const none = { lines: 0, requests: 0, withTraceId: 0 };
  const c = r.value ?? { n, gateway: none, frontEnd: none, otherLines: 0 };
  return { query, ...c, poll: summary(r, w) };
}

// --- Jaeger -----------------------------------------------------------------------------------

/** Istio names a proxy's spans "<app label>.<namespace>" (ProxyConfig tracingServiceName default
 * APP_LABEL_AND_NAMESPACE: istio@1.30.3 pkg/bootstrap/config.go getServiceCluster). */
export const GATEWAY_SERVICE = `${GATEWAY_REF.name}.${ISTIO_NAMESPACE}`;
export const FRONT_END_SERVICE = `front-end.${NS}`;
const QUERY_CONCURRENCY = 8;

export interface TracesObservation {
  n: number;
  /** Traces with spans from both the gateway and front-end. */
  complete: number;
  gatewayOnly: number;
  frontEndOnly: number;
  /** 404 "trace not found", or spans from neither. */
  missing: number;
  /** Every service name seen in this run's traces. */
  services: string[];
  /** One trace id that is not complete, to look at in the UI. */
  example?: string;
  poll: PollSummary;
}

type TraceState = { gateway: number; frontEnd: number };

export async function waitForTraces(ops: MeshOps, ids: RunIds, since: number, w: Wait, timeoutMs: number): Promise<TracesObservation> {
  const n = ids.traceIds.length;
  const state = new Map<string, TraceState>();
  const services = new Set<string>();
  const complete = (s?: TraceState) => Boolean(s && s.gateway > 0 && s.frontEnd > 0);
  const probe = async () => {
    const base = await ops.serviceUrl('jaegerQuery');
    const todo = ids.traceIds.filter((id) => !complete(state.get(id)));
    const failures: string[] = [];
    for (let i = 0; i < todo.length; i += QUERY_CONCURRENCY) {
      const batch = todo.slice(i, i + QUERY_CONCURRENCY);
      const answers = await Promise.allSettled(batch.map((id) => jaegerTrace(base, id, { timeoutMs })));
      answers.forEach((a, j) => {
        if (a.status === 'rejected') return void failures.push((a.reason as Error).message);
        const spans = (a.value ?? []).filter((s) => normalTraceId(s.traceId) === normalTraceId(batch[j]));
        spans.forEach((s) => services.add(s.service));
        state.set(batch[j], { gateway: spans.filter((s) => s.service === GATEWAY_SERVICE).length, frontEnd: spans.filter((s) => s.service === FRONT_END_SERVICE).length });
      });
    }
    if (failures.length > 0) throw new Error(`${failures.length} of ${todo.length} trace queries failed; first: ${failures[0]}`);
    return ids.traceIds.filter((id) => complete(state.get(id))).length;
  };
  const r = await pollFor(probe, (done) => done === n, { ...w, since });
  const of = (id: string) => state.get(id) ?? { gateway: 0, frontEnd: 0 };
  const incomplete = ids.traceIds.filter((id) => !complete(state.get(id)));
  return {
    n,
    complete: n - incomplete.length,
    gatewayOnly: ids.traceIds.filter((id) => of(id).gateway > 0 && of(id).frontEnd === 0).length,
    frontEndOnly: ids.traceIds.filter((id) => of(id).gateway === 0 && of(id).frontEnd > 0).length,
    missing: ids.traceIds.filter((id) => of(id).gateway === 0 && of(id).frontEnd === 0).length,
    services: [...services].sort(),
    ...(incomplete.length > 0 ? { example: incomplete[0] } : {}),
    poll: summary(r, w),
  };
}

// --- Prometheus -------------------------------------------------------------------------------

/** Every Deployment behind front-end's Service (v1 and v2): traffic-split may have left 20% on v2. */
export function frontEndWorkloads(): string[] {
  return renderSockShop()
    .filter((o) => o.kind === 'Deployment' && (o as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template?.metadata?.labels?.app === 'front-end')
    .map((o) => o.metadata!.name!)
    .sort();
}

/** Requests front-end's sidecars received (reporter="destination": counted where they arrive, whatever the response code). */
export const requestsQuery = () =>
  `sum(istio_requests_total{reporter="destination", destination_workload_namespace="${NS}", destination_workload=~"${frontEndWorkloads().join('|')}"})`;

export interface MetricsObservation {
  query: string;
  n: number;
  /** null: no series yet (no request since the sidecars started), read as 0. */
  before: number | null;
  after: number | null;
  /** after − before (reported as "rise": report-text reads an "increase" as the breaker's counter). */
  rise: number | null;
  /** The query before the traffic failed: there is nothing to compare with. */
  beforeError?: string;
  poll?: PollSummary;
}

export async function readRequests(ops: MeshOps, timeoutMs: number): Promise<number | null> {
  return singleValue(await promQuery(await ops.serviceUrl('prometheus'), requestsQuery(), { timeoutMs }));
}

export async function waitForMetrics(ops: MeshOps, n: number, before: number | null, since: number, w: Wait, timeoutMs: number): Promise<MetricsObservation> {
  const query = requestsQuery();
  const r = await pollFor(() => readRequests(ops, timeoutMs), (after) => (after ?? 0) - (before ?? 0) >= n, { ...w, since });
  const after = r.value ?? null;
  return { query, n, before, after, rise: r.value === undefined ? null : (after ?? 0) - (before ?? 0), poll: summary(r, w) };
}
