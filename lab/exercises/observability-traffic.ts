// The observability exercise's traffic: N requests through the ingress gateway to sock-shop's
// front-end, each carrying what lets it be found again downstream —
// - a marker in the query string, `/?lab-marker=<run>.<i>`, which the access log records
//   (%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% keeps the query string: Istio's default format, istio@1.30.3
//   pilot/pkg/model/telemetry_logging.go EnvoyTextLogFormat, and the lab's accessLogFormat in
//   manifests/istio/istio-operator.yaml, which adds traceparent=…), so the gateway's and
//   front-end's sidecar's log lines can be found in Loki;
// - a W3C `traceparent: 00-<trace id>-<parent id>-01` (sampled), so the spans Envoy reports for
//   it can be looked up in Jaeger by that trace id.
// Ids come from an injected source of random bytes (crypto by default; tests seed it).
import { randomBytes } from 'node:crypto';
import { failureReason, sendRequests } from '../checks/http-load.ts';
import type { LatencySummary } from '../checks/report-types.ts';
import { countBy, latencySummary } from '../checks/tally.ts';

export const MARKER_PARAM = 'lab-marker';

/** n random bytes as lower-case hex. */
export type HexSource = (bytes: number) => string;
export const cryptoHex: HexSource = (bytes) => randomBytes(bytes).toString('hex');

export interface RunIds {
  /** 16 hex digits, new for every run: what the log query filters on. */
  run: string;
  /** W3C trace ids (32 hex), one per request. */
  traceIds: string[];
  /** The client's span id each traceparent names as the parent (16 hex). */
  parentIds: string[];
}

/** W3C forbids all-zero ids; a leading non-zero digit also keeps Jaeger's printed id full length. */
const nonZeroLead = (hex: string): string => (hex[0] === '0' ? `1${hex.slice(1)}` : hex);

export function newRunIds(n: number, hex: HexSource = cryptoHex): RunIds {
  return {
    run: nonZeroLead(hex(8)),
    traceIds: Array.from({ length: n }, () => nonZeroLead(hex(16))),
    parentIds: Array.from({ length: n }, () => nonZeroLead(hex(8))),
  };
}

/** `<run>.<i>`: unique per request, and all of one run share the prefix `<run>.`. */
export const markerOf = (ids: RunIds, i: number) => `${ids.run}.${i}`;
export const traceparentOf = (ids: RunIds, i: number) => `00-${ids.traceIds[i]}-${ids.parentIds[i]}-01`;
export const markedPath = (ids: RunIds, i: number) => `/?${MARKER_PARAM}=${markerOf(ids, i)}`;

/** The request indices whose marker occurs in `line` (a line may quote one request only, but be lenient). */
export function markersIn(line: string, run: string): number[] {
  const re = new RegExp(`${MARKER_PARAM}=${run}\\.(\\d+)`, 'g');
  return [...line.matchAll(re)].map((m) => Number(m[1]));
}

export interface TrafficOptions {
  /** The gateway's base URL, no trailing slash. */
  base: string;
  ids: RunIds;
  intervalMs: number;
  timeoutMs: number;
}

export interface MarkedTrafficReport {
  requests: number;
  sent: number;
  ok2xx: number;
  /** "http 200" → count, transport errors by code. */
  outcomes: Record<string, number>;
  latency: LatencySummary | null;
  /** Epoch ms: before the first request, after the last answer. The waits count from `endedAt`. */
  startedAt: number;
  endedAt: number;
  /** The first request, for the report (what a user can paste into curl). */
  example: { path: string; traceparent: string };
}

/** One request after another, paced, each with its own marker and traceparent. */
export async function sendMarked(o: TrafficOptions): Promise<MarkedTrafficReport> {
  const n = o.ids.traceIds.length;
  const startedAt = Date.now();
  const results = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && o.intervalMs > 0) await new Promise((r) => setTimeout(r, o.intervalMs));
    const run = await sendRequests({ url: `${o.base}${markedPath(o.ids, i)}`, requests: 1, concurrency: 1, timeoutMs: o.timeoutMs, keepAlive: false, headers: { traceparent: traceparentOf(o.ids, i) } });
    results.push(...run.results);
  }
  const endedAt = Date.now();
  return {
    requests: n,
    sent: results.length,
    ok2xx: results.filter((r) => r.status !== null && r.status >= 200 && r.status < 300).length,
    outcomes: countBy(results, (r) => (r.status !== null ? `http ${r.status}` : failureReason(r))),
    latency: latencySummary(results.map((r) => r.latencyMs)),
    startedAt,
    endedAt,
    example: { path: markedPath(o.ids, 0), traceparent: traceparentOf(o.ids, 0) },
  };
}
