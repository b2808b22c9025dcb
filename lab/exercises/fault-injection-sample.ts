// The fault-injection exercise's traffic: converge until the fault is in effect (one abort and one
// delayed answer seen), then ONE fixed sample, each request classified by two independent signals.
//   aborted: 503 with the body "fault filter abort" and no x-envoy-upstream-service-time — Envoy's
//     fault filter answers by itself with exactly that body (envoyproxy/envoy
//     source/extensions/filters/http/fault/fault_filter.cc, abortWithStatus → sendLocalReply;
//     the access log flag is FI), so front-end never saw the request.
//   delayed: latency at or above the midpoint between the fast bound and the fixed delay (the
//     filter sets no header for a delay, only the access-log flag DI). Latencies are bimodal —
//     either the app's tens of ms or ≥ the fixed delay — so the midpoint splits them, and the
//     p50 assertions on each side can still fail (a delay too short, a slow backend).
import { assertReachable, sampleDeadlineMs, sendRequests, type RequestResult } from '../checks/http-load.ts';
import type { LatencySummary } from '../checks/report-types.ts';
import { countBy, latencySummary } from '../checks/tally.ts';
import { UPSTREAM_TIME } from './fail-fast.ts';

export const FAULT_ABORT_BODY = 'fault filter abort';

export interface FaultSampleOptions {
  url: string;
  n: number;
  concurrency: number;
  /** Latency at or above this counts as delayed. */
  delayedAtMs: number;
  /** The fault's abort status (503). */
  abortStatus: number;
  timeoutMs: number;
  convergeTimeoutMs: number;
}

export type Outcome = 'ok' | 'aborted' | 'other';

export interface FaultSampleReport {
  n: number;
  completed: number;
  converged: boolean;
  convergeMs: number;
  convergeRequests: number;
  delayedAtMs: number;
  counts: { ok: number; aborted: number; other: number; delayed: number; delayedAndAborted: number };
  /** Outcomes that were neither a 200 nor the fault's abort, by "http 503" / error code. */
  otherByReason: Record<string, number>;
  delayedLatency: LatencySummary | null;
  otherLatency: LatencySummary | null;
  sampleMs: number;
}

export function outcomeOf(r: RequestResult, abortStatus: number): Outcome {
  if (r.status === 200) return 'ok';
  if (r.status === abortStatus && (r.body ?? '').startsWith(FAULT_ABORT_BODY) && r.headers[UPSTREAM_TIME] === undefined) return 'aborted';
  return 'other';
}

const reasonOf = (r: RequestResult) => r.errorCode ?? `http ${r.status}${(r.body ?? '').startsWith(FAULT_ABORT_BODY) ? '' : ` "${(r.body ?? '').slice(0, 40)}"`}`;

export async function runFaultSample(o: FaultSampleOptions): Promise<FaultSampleReport> {
  await assertReachable(o.url, 2000);
  const load = { url: o.url, timeoutMs: o.timeoutMs, captureHeaders: [UPSTREAM_TIME], bodySnippetChars: 64 };
  const delayed = (r: RequestResult) => r.status !== null && r.latencyMs >= o.delayedAtMs;
  let sawAbort = false;
  let sawDelay = false;
  const converge = await sendRequests({
    ...load, concurrency: 4, requests: 100_000, intervalMs: 20, deadlineMs: o.convergeTimeoutMs,
    until: (r) => {
      sawAbort ||= outcomeOf(r, o.abortStatus) === 'aborted';
      sawDelay ||= delayed(r);
      return sawAbort && sawDelay;
    },
  });
  const base = { n: o.n, delayedAtMs: o.delayedAtMs, convergeMs: Math.round(converge.elapsedMs), convergeRequests: converge.results.length };
  if (!(sawAbort && sawDelay)) {
    return { ...base, completed: 0, converged: false, counts: { ok: 0, aborted: 0, other: 0, delayed: 0, delayedAndAborted: 0 }, otherByReason: {}, delayedLatency: null, otherLatency: null, sampleMs: 0 };
  }
  const sample = await sendRequests({ ...load, sendIndex: true, requests: o.n, concurrency: o.concurrency, deadlineMs: sampleDeadlineMs(o.n, o.timeoutMs, o.concurrency) });
  const rs = sample.results;
  const outcome = (r: RequestResult) => outcomeOf(r, o.abortStatus);
  const d = rs.filter(delayed);
  return {
    ...base,
    completed: rs.filter((r) => r.status !== null).length,
    converged: true,
    counts: {
      ok: rs.filter((r) => outcome(r) === 'ok').length,
      aborted: rs.filter((r) => outcome(r) === 'aborted').length,
      other: rs.filter((r) => outcome(r) === 'other').length,
      delayed: d.length,
      delayedAndAborted: d.filter((r) => outcome(r) === 'aborted').length,
    },
    otherByReason: countBy(rs.filter((r) => outcome(r) === 'other'), reasonOf),
    delayedLatency: latencySummary(d.map((r) => r.latencyMs)),
    otherLatency: latencySummary(rs.filter((r) => r.status !== null && !delayed(r)).map((r) => r.latencyMs)),
    sampleMs: Math.round(sample.elapsedMs),
  };
}
