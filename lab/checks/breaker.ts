// Circuit-breaker check: push concurrent load and count overflow responses —
// a 503 carrying the x-envoy-overloaded header (Envoy's circuit-breaker answer).
import { assertReachable, failureReason, sendRequests, type RequestResult } from './http-load.ts';
import { wilsonInterval } from './stats.ts';
import { assertFraction, assertPositiveInt, countBy, describeCounts, latencySummary } from './tally.ts';
import type { BreakerReport } from './report-types.ts';

export const OVERFLOW_HEADER = 'x-envoy-overloaded';

export interface BreakerCheckOptions {
  url: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Total requests. */
  requests: number;
  /** Minimum overflow share, as a fraction (0.2 = 20%). */
  minOverflow: number;
  /** Per-request timeout. Default 5000. */
  timeoutMs?: number;
  /** Deadline for the whole run. Default max(30000, 4·requests·timeoutMs/concurrency capped at 10 min). */
  deadlineMs?: number;
  headers?: Record<string, string>;
  keepAlive?: boolean;
}

export type BreakerOutcome = 'ok' | 'overflow' | 'other503' | 'otherStatus' | 'error';

export function breakerOutcome(r: RequestResult): BreakerOutcome {
  if (r.status === null) return 'error';
  if (r.status === 200) return 'ok';
  if (r.status === 503) return r.headers[OVERFLOW_HEADER] !== undefined ? 'overflow' : 'other503';
  return 'otherStatus';
}

export async function runBreakerCheck(opts: BreakerCheckOptions): Promise<BreakerReport> {
  assertPositiveInt('--concurrency', opts.concurrency);
  assertPositiveInt('--requests', opts.requests);
  assertFraction('--min-overflow', opts.minOverflow);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const deadlineMs = opts.deadlineMs ?? Math.max(30_000, Math.min(600_000, (4 * opts.requests * timeoutMs) / opts.concurrency));

  await assertReachable(opts.url, Math.min(timeoutMs, 2000), opts.headers);
  const run = await sendRequests({
    url: opts.url, requests: opts.requests, concurrency: opts.concurrency, timeoutMs, deadlineMs,
    headers: opts.headers, keepAlive: opts.keepAlive, captureHeaders: [OVERFLOW_HEADER],
  });
  const byOutcome = (o: BreakerOutcome) => run.results.filter((r) => breakerOutcome(r) === o);
  const ok = byOutcome('ok');
  const overflow = byOutcome('overflow');
  const counts = {
    ok: ok.length,
    overflow: overflow.length,
    other503: byOutcome('other503').length,
    otherStatus: byOutcome('otherStatus').length,
    errors: byOutcome('error').length,
  };
  const total = run.results.length;
  const overflowShare = total > 0 ? overflow.length / total : 0;
  const ci = total > 0 ? wilsonInterval(overflow.length, total, 0.95) : { lower: 0, upper: 1 };
  const others = run.results.filter((r) => { const o = breakerOutcome(r); return o !== 'ok' && o !== 'overflow'; });
  const otherByReason = countBy(others, (r) => (r.status === 503 ? `http 503 without ${OVERFLOW_HEADER}` : failureReason(r)));
  const pct = (v: number) => Math.round(v * 10_000) / 100;

  const problems: string[] = [];
  if (overflowShare < opts.minOverflow) {
    problems.push(`overflow ${pct(overflowShare)}% (${overflow.length}/${total} 503s with ${OVERFLOW_HEADER}) is below the minimum ${pct(opts.minOverflow)}%`);
  }
  if (ok.length === 0) problems.push(`no request succeeded with 200 (${total} sent) — the breaker should shed load, not reject everything`);
  if (total < opts.requests) problems.push(`only ${total} of ${opts.requests} requests were sent before the ${deadlineMs} ms deadline`);
  const status = problems.length === 0 ? 'pass' : 'fail';
  const reason = status === 'pass'
    ? `${pct(overflowShare)}% overflow (≥ ${pct(opts.minOverflow)}%) and ${ok.length} successful 200s at concurrency ${opts.concurrency}`
    : problems.join('; ') + (others.length > 0 ? `; other outcomes: ${describeCounts(otherByReason)}` : '');
  return {
    check: 'breaker', status, reason, url: opts.url,
    concurrency: opts.concurrency, requests: opts.requests, minOverflowPct: pct(opts.minOverflow),
    counts, overflowPct: pct(overflowShare),
    overflowCiPct: { lower: pct(ci.lower), upper: pct(ci.upper) },
    otherByReason,
    elapsedMs: Math.round(run.elapsedMs),
    latency: latencySummary(run.results.map((r) => r.latencyMs)),
    latencyOk: latencySummary(ok.map((r) => r.latencyMs)),
    latencyOverflow: latencySummary(overflow.map((r) => r.latencyMs)),
  };
}
