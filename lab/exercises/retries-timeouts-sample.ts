// The retries-timeouts exercise's traffic, all to GET /cart (front-end asks carts and answers with
// carts' status: microservices-demo/front-end@0.3.12 api/cart/index.js, respondStatusBody with
// response.statusCode — unlike /catalogue, whose helper answers 200 whatever catalogue said).
import { assertReachable, sampleDeadlineMs, failureReason, sendRequests, type RequestResult } from '../checks/http-load.ts';
import type { LatencySummary } from '../checks/report-types.ts';
import { countBy, latencySummary } from '../checks/tally.ts';
import { wilsonInterval } from '../checks/stats.ts';
import { FAULT_ABORT_BODY } from './fault-injection-sample.ts';

export const TIMEOUT_BODY = 'upstream request timeout';
export const ROUTE_HEADER = 'x-lab-route';
export const RETRIES_SWITCH = 'x-lab-retries';

const load = (url: string, timeoutMs: number) => ({ url, timeoutMs, captureHeaders: [ROUTE_HEADER], bodySnippetChars: 64 });
const bodyIs = (r: RequestResult, text: string) => (r.body ?? '').startsWith(text);

/**
 * The error counts k out of n that a 99 % Wilson interval around k/n agrees with p0: the
 * binomial acceptance range used for "about 0.3⁴" (lab/checks/stats.ts wilsonInterval).
 */
export function acceptRange(p0: number, n: number, confidence: number): { lo: number; hi: number } {
  let lo = -1;
  let hi = -1;
  for (let k = 0; k <= n; k++) {
    const ci = wilsonInterval(k, n, confidence);
    if (ci.lower <= p0 && p0 <= ci.upper) {
      if (lo < 0) lo = k;
      hi = k;
    }
  }
  return { lo, hi };
}

export interface TimeoutReport {
  n: number;
  converged: boolean;
  convergeMs: number;
  answered: number;
  timeouts: number;
  otherByReason: Record<string, number>;
  latency: LatencySummary | null;
  minMs: number | null;
}

export async function runTimeoutSample(o: { url: string; n: number; concurrency: number; timeoutMs: number; convergeTimeoutMs: number }): Promise<TimeoutReport> {
  await assertReachable(o.url, Math.min(o.timeoutMs, 5000));
  const isTimeout = (r: RequestResult) => r.status === 504 && bodyIs(r, TIMEOUT_BODY);
  const conv = await sendRequests({ ...load(o.url, o.timeoutMs), concurrency: 2, requests: 100_000, intervalMs: 20, deadlineMs: o.convergeTimeoutMs, until: isTimeout });
  const base = { n: o.n, convergeMs: Math.round(conv.elapsedMs) };
  if (!conv.results.some(isTimeout)) return { ...base, converged: false, answered: 0, timeouts: 0, otherByReason: {}, latency: null, minMs: null };
  const s = await sendRequests({ ...load(o.url, o.timeoutMs), sendIndex: true, requests: o.n, concurrency: o.concurrency, deadlineMs: sampleDeadlineMs(o.n, o.timeoutMs, o.concurrency) });
  const answered = s.results.filter((r) => r.status !== null);
  const ms = answered.map((r) => r.latencyMs);
  return {
    ...base, converged: true, answered: answered.length, timeouts: answered.filter(isTimeout).length,
    otherByReason: countBy(s.results.filter((r) => !isTimeout(r)), (r) => (r.status === null ? failureReason(r) : `http ${r.status} "${(r.body ?? '').slice(0, 30)}"`)),
    latency: latencySummary(ms), minMs: ms.length > 0 ? Math.round(Math.min(...ms)) : null,
  };
}

export interface StreamReport {
  route: 'retries' | 'no-retries';
  n: number;
  answered: number;
  /** 5xx or no response. */
  errors: number;
  /** Of the errors: the 503 "fault filter abort" front-end passed on. */
  faultErrors: number;
  /** Answers without the route's x-lab-route stamp. */
  wrongRoute: number;
  errorsByReason: Record<string, number>;
}

export interface RetriesReport {
  converged: boolean;
  convergeMs: number;
  withRetries: StreamReport;
  withoutRetries: StreamReport;
  sampleMs: number;
}

function stream(route: StreamReport['route'], n: number, rs: RequestResult[]): StreamReport {
  const failed = rs.filter((r) => r.status === null || r.status >= 500);
  return {
    route, n, answered: rs.filter((r) => r.status !== null).length, errors: failed.length,
    faultErrors: failed.filter((r) => r.status === 503 && bodyIs(r, FAULT_ABORT_BODY)).length,
    wrongRoute: rs.filter((r) => r.status !== null && r.headers[ROUTE_HEADER] !== route).length,
    errorsByReason: countBy(failed, failureReason),
  };
}

/** Converge (both routes stamped, one abort seen without retries), then both samples at once. */
export async function runRetriesSample(o: { url: string; n: number; concurrency: number; timeoutMs: number; convergeTimeoutMs: number }): Promise<RetriesReport> {
  await assertReachable(o.url, Math.min(o.timeoutMs, 5000));
  const off = { [RETRIES_SWITCH]: 'off' };
  const seen = new Set<string>();
  const t0 = Date.now();
  const conv = (headers: Record<string, string> | undefined, until: (r: RequestResult) => boolean) =>
    sendRequests({ ...load(o.url, o.timeoutMs), headers, concurrency: 2, requests: 100_000, intervalMs: 20, deadlineMs: o.convergeTimeoutMs, until });
  await conv(off, (r) => {
    if (r.headers[ROUTE_HEADER] === 'no-retries') seen.add('no-retries');
    if (r.status === 503 && bodyIs(r, FAULT_ABORT_BODY) && r.headers[ROUTE_HEADER] === 'no-retries') seen.add('abort');
    return seen.has('no-retries') && seen.has('abort');
  });
  await conv(undefined, (r) => (r.headers[ROUTE_HEADER] === 'retries' ? Boolean(seen.add('retries')) : false));
  const convergeMs = Date.now() - t0;
  const converged = ['no-retries', 'abort', 'retries'].every((k) => seen.has(k));
  const empty = (route: StreamReport['route']) => stream(route, o.n, []);
  if (!converged) return { converged, convergeMs, withRetries: empty('retries'), withoutRetries: empty('no-retries'), sampleMs: 0 };
  const opts = { ...load(o.url, o.timeoutMs), sendIndex: true, requests: o.n, concurrency: o.concurrency, deadlineMs: sampleDeadlineMs(o.n, o.timeoutMs, o.concurrency) };
  const [withR, without] = await Promise.all([sendRequests(opts), sendRequests({ ...opts, headers: off })]);
  return {
    converged, convergeMs, sampleMs: Math.round(Math.max(withR.elapsedMs, without.elapsedMs)),
    withRetries: stream('retries', o.n, withR.results), withoutRetries: stream('no-retries', o.n, without.results),
  };
}
