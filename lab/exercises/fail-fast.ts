// "Does a request to a broken backend fail fast, or hang?" A paced, sequential probe that keeps
// every status and latency, with a client timeout long enough to tell a hang from a fast failure.
import { assertReachable, failureReason, sendRequests } from '../checks/http-load.ts';
import type { LatencySummary } from '../checks/report-types.ts';
import { countBy, latencySummary } from '../checks/tally.ts';

export const UPSTREAM_TIME = 'x-envoy-upstream-service-time';

export interface FailFastOptions {
  url: string;
  requests: number;
  /** A request without a complete response after this long counts as hanging. */
  timeoutMs: number;
  intervalMs?: number;
  deadlineMs?: number;
}

export interface FailFastReport {
  url: string;
  requests: number;
  sent: number;
  timeoutMs: number;
  /** "http 503" → count, plus transport errors by code (ETIMEDOUT = hung until the client gave up). */
  outcomes: Record<string, number>;
  answered: number;
  answered2xx: number;
  answered5xx: number;
  /** 5xx that came back from the upstream (front-end) through the gateway: Envoy adds
   * x-envoy-upstream-service-time to a response it proxied, not to its own replies
   * (no healthy upstream, overflow). */
  upstream5xx: number;
  unanswered: number;
  latency: LatencySummary | null;
  elapsedMs: number;
}

export async function runFailFastProbe(o: FailFastOptions): Promise<FailFastReport> {
  await assertReachable(o.url, 2000);
  const run = await sendRequests({
    url: o.url, requests: o.requests, concurrency: 1, timeoutMs: o.timeoutMs, intervalMs: o.intervalMs ?? 100,
    deadlineMs: o.deadlineMs ?? Math.max(30_000, o.requests * 2000), keepAlive: true, captureHeaders: [UPSTREAM_TIME],
  });
  const answered = run.results.filter((r) => r.status !== null);
  return {
    url: o.url,
    requests: o.requests,
    sent: run.results.length,
    timeoutMs: o.timeoutMs,
    outcomes: countBy(run.results, failureReason),
    answered: answered.length,
    answered2xx: answered.filter((r) => r.status! >= 200 && r.status! < 300).length,
    answered5xx: answered.filter((r) => r.status! >= 500).length,
    upstream5xx: answered.filter((r) => r.status! >= 500 && r.headers[UPSTREAM_TIME] !== undefined).length,
    unanswered: run.results.length - answered.length,
    latency: latencySummary(run.results.map((r) => r.latencyMs)),
    elapsedMs: Math.round(run.elapsedMs),
  };
}
