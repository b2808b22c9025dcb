// Success-rate check: a steady, paced request stream (one request every interval)
// for a fixed duration; success = 2xx. Reports where and how failures happened.
import { assertReachable, failureReason, sendRequests, type RequestResult } from './http-load.ts';
import { assertFraction, assertPositiveInt, countBy, describeCounts, latencySummary } from './tally.ts';
import type { SuccessRateReport } from './report-types.ts';

export interface SuccessRateCheckOptions {
  url: string;
  /** Length of the stream. */
  durationMs: number;
  /** One request is launched every intervalMs. */
  intervalMs: number;
  /** Minimum success rate as a fraction (0.99 = 99%). */
  min: number;
  /** Per-request timeout. Default min(5000, max(1000, 10·intervalMs)). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  keepAlive?: boolean;
}

export function isSuccess(r: RequestResult): boolean {
  return r.status !== null && r.status >= 200 && r.status < 300;
}

/** Longest run of consecutive failures, in launch order. */
export function longestFailureStreak(results: readonly RequestResult[]): number {
  let longest = 0;
  let current = 0;
  for (const r of results) {
    current = isSuccess(r) ? 0 : current + 1;
    longest = Math.max(longest, current);
  }
  return longest;
}

export async function runSuccessRateCheck(opts: SuccessRateCheckOptions): Promise<SuccessRateReport> {
  assertPositiveInt('--duration', opts.durationMs);
  assertPositiveInt('--interval', opts.intervalMs);
  assertFraction('--min', opts.min);
  if (opts.intervalMs > opts.durationMs) {
    throw new RangeError(`--interval: ${opts.intervalMs} ms is longer than --duration ${opts.durationMs} ms`);
  }
  const timeoutMs = opts.timeoutMs ?? Math.min(5000, Math.max(1000, 10 * opts.intervalMs));
  const requests = Math.floor(opts.durationMs / opts.intervalMs);
  // Enough in-flight slots that a slow response never delays the schedule, but bounded.
  const concurrency = Math.min(256, Math.max(1, Math.ceil(timeoutMs / opts.intervalMs) + 1));

  await assertReachable(opts.url, Math.min(timeoutMs, 2000), opts.headers);
  const run = await sendRequests({
    url: opts.url, requests, concurrency, timeoutMs, intervalMs: opts.intervalMs,
    deadlineMs: opts.durationMs + timeoutMs + 1000, headers: opts.headers, keepAlive: opts.keepAlive,
  });
  const results = run.results;
  const failures = results.filter((r) => !isSuccess(r));
  const ok = results.length - failures.length;
  const rate = results.length > 0 ? ok / results.length : 0;
  const failedByReason = countBy(failures, failureReason);
  const pct = (v: number) => Math.round(v * 10_000) / 100;
  const failureWindowMs = failures.length > 0
    ? { first: Math.round(failures[0].startedAtMs), last: Math.round(failures[failures.length - 1].startedAtMs) }
    : null;
  const streak = longestFailureStreak(results);

  const status = rate >= opts.min && results.length > 0 ? 'pass' : 'fail';
  const summary = `${ok}/${results.length} succeeded (${pct(rate)}%, minimum ${pct(opts.min)}%)`;
  const failureText = failures.length > 0
    ? `; failures: ${describeCounts(failedByReason)}, longest streak ${streak}, between ${failureWindowMs?.first} and ${failureWindowMs?.last} ms`
    : '';
  return {
    check: 'success-rate', status, reason: summary + failureText, url: opts.url,
    durationMs: opts.durationMs, intervalMs: opts.intervalMs, minPct: pct(opts.min),
    total: results.length, ok, failed: failures.length, failedByReason,
    ratePct: pct(rate),
    longestFailureStreak: streak,
    failureWindowMs,
    elapsedMs: Math.round(run.elapsedMs),
    latency: latencySummary(results.map((r) => r.latencyMs)),
  };
}
