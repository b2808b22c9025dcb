// The observability exercise's judgement: pure functions of what act observed, each with its
// numbers — how many of the N requests were found, how long it took, against which deadline.
import { describeCounts } from '../checks/tally.ts';
import type { AssertionSpec } from './assertions.ts';
import { FRONT_END_SERVICE, GATEWAY_SERVICE, LOG_SELECTOR, type LogsObservation, type MetricsObservation, type PollSummary, type TracesObservation } from './observability-probes.ts';
import type { MarkedTrafficReport } from './observability-traffic.ts';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "after 3.2 s (2 attempts)" or "not within 60 s (31 attempts; last error: …)". */
export function took(p: PollSummary): string {
  const attempts = `${p.attempts} attempt${p.attempts === 1 ? '' : 's'}`;
  if (p.ok) return `after ${secs(p.elapsedMs)} (${attempts})`;
  return `not within ${secs(p.deadlineMs)} (${attempts}, ${p.errors} failed${p.lastError ? `; last error: ${p.lastError}` : ''})`;
}

const pollNumbers = (p: PollSummary) => ({ elapsedMs: Math.round(p.elapsedMs), attempts: p.attempts, failedAttempts: p.errors, deadlineMs: p.deadlineMs });

export function trafficSpecs(n: number): AssertionSpec<MarkedTrafficReport>[] {
  return [{
    name: `traffic: all ${n} marked requests answered 2xx through the gateway`,
    expected: `${n} of ${n} answered 2xx (front-end served each one, so the gateway, its sidecar and the telemetry saw it)`,
    judge: (r) => ({
      pass: r.ok2xx === n && r.sent === n,
      actual: `${r.ok2xx}/${n} answered 2xx (${describeCounts(r.outcomes) || 'none sent'}); e.g. GET ${r.example.path} with traceparent ${r.example.traceparent}`,
      numbers: { ok2xx: r.ok2xx, sent: r.sent, requests: n, p95Ms: r.latency?.p95Ms ?? null },
    }),
  }];
}

export function logSpecs(n: number, deadlineMs: number): AssertionSpec<LogsObservation>[] {
  return [{
    name: `logs: each request's access-log line from the gateway and from front-end's sidecar is in Loki within ${secs(deadlineMs)}`,
    expected: `all ${n} markers in the gateway's lines and in front-end's sidecar's lines (query_range ${LOG_SELECTOR} |= "lab-marker=<run>."), within ${secs(deadlineMs)} of the last answer`,
    judge: (o) => ({
      pass: o.poll.ok && o.gateway.requests === n && o.frontEnd.requests === n,
      actual: `gateway ${o.gateway.requests}/${n} requests (${o.gateway.lines} lines), front-end ${o.frontEnd.requests}/${n} (${o.frontEnd.lines} lines)${o.otherLines ? `, ${o.otherLines} from other streams` : ''} ${took(o.poll)}`
        + `; lines with their trace id: ${o.gateway.withTraceId + o.frontEnd.withTraceId}/${o.gateway.lines + o.frontEnd.lines}`,
      numbers: {
        n, gatewayRequests: o.gateway.requests, gatewayLines: o.gateway.lines, frontEndRequests: o.frontEnd.requests, frontEndLines: o.frontEnd.lines, otherLines: o.otherLines,
        linesWithTraceId: o.gateway.withTraceId + o.frontEnd.withTraceId, ...pollNumbers(o.poll),
      },
    }),
  }];
}

export function traceSpecs(n: number, deadlineMs: number): AssertionSpec<TracesObservation>[] {
  return [{
    name: `traces: each request's trace is in Jaeger with spans from ${GATEWAY_SERVICE} and ${FRONT_END_SERVICE} within ${secs(deadlineMs)}`,
    expected: `all ${n} trace ids (GET /api/traces/<id>) with ≥ 1 span from each of ${GATEWAY_SERVICE} and ${FRONT_END_SERVICE}, within ${secs(deadlineMs)} of the last answer`,
    judge: (o) => ({
      pass: o.poll.ok && o.complete === n,
      actual: `${o.complete}/${n} complete, ${o.gatewayOnly} with the gateway's span only, ${o.frontEndOnly} with front-end's only, ${o.missing} not found ${took(o.poll)}`
        + `${o.example ? `; e.g. trace ${o.example}` : ''}; services seen: ${o.services.join(', ') || 'none'}`,
      numbers: { n, complete: o.complete, gatewayOnly: o.gatewayOnly, frontEndOnly: o.frontEndOnly, missing: o.missing, ...pollNumbers(o.poll) },
    }),
  }];
}

export function metricSpecs(n: number, deadlineMs: number): AssertionSpec<MetricsObservation>[] {
  return [{
    name: `metrics: istio_requests_total for front-end rose by ≥ ${n} in Prometheus within ${secs(deadlineMs)}`,
    expected: `${'sum(istio_requests_total{reporter="destination", front-end\'s workloads})'} after − before ≥ ${n} (other traffic can only add), within ${secs(deadlineMs)} of the last answer`,
    judge: (o) => {
      if (o.beforeError || !o.poll) return { pass: false, actual: `could not read it before the traffic: ${o.beforeError ?? 'no reading'}`, numbers: { n, before: null, after: null, increase: null } };
      const show = (v: number | null) => (v === null ? 'no series' : String(v));
      return {
        pass: o.poll.ok && o.rise !== null && o.rise >= n,
        actual: `${show(o.before)} → ${show(o.after)} (${o.rise === null ? 'no reading' : `+${o.rise}`}) ${took(o.poll)}`,
        numbers: { n, before: o.before, after: o.after, increase: o.rise, ...pollNumbers(o.poll) },
      };
    },
  }];
}
