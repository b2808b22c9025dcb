import test from 'ava';
import {
  formatBreakerReport, formatCheckReport, formatSuccessRateReport, renderBar, splitChartLines,
} from '../../lab/checks/report-format.ts';
import type { BreakerReport, SplitReport, SuccessRateReport } from '../../lab/checks/report-types.ts';
import { evaluateSplitSample } from '../../lab/checks/split-evaluate.ts';

function splitReport(counts: Record<string, number>): SplitReport {
  const expect = { v1: 80, v2: 20 };
  const d = evaluateSplitSample({ counts, errorsByReason: {} }, { expect, tolerancePp: 5, confidence: 0.99, maxErrors: 0 });
  return {
    check: 'split', status: d.status, reason: d.reason, url: 'http://127.0.0.1:8080/', expect, tolerancePp: 5, confidence: 0.99,
    classify: 'header:x-lab-version',
    sample: { n: 425, completed: 425, classified: d.classified, source: 'computed', how: '⌈z²·p(1−p)/E²⌉ … → 425', recommended: 425 },
    labels: d.labels, unexpectedLabels: d.unexpectedLabels, errors: { count: 0, max: 0, byReason: {} }, chiSquare: d.chiSquare,
    converge: { ms: 12, requests: 3, errors: 0, seen: { v1: 2, v2: 1 }, converged: true },
    timings: { sampleMs: 150, requestsPerSecond: 2833.3 }, latency: { count: 425, p50Ms: 0.7, p95Ms: 4.3, p99Ms: 10.1, maxMs: 29.6 },
  };
}

test('renderBar fills proportionally and clamps', (t) => {
  t.is(renderBar(0.8), '████████████████░░░░');
  t.is(renderBar(0.805, 20), '████████████████░░░░');
  t.is(renderBar(0, 4), '░░░░');
  t.is(renderBar(1.7, 4), '████');
  t.is(renderBar(Number.NaN, 4), '░░░░');
  t.throws(() => renderBar(0.5, 0), { message: /width must be a positive integer/ });
});

test('split chart lines show bar, share, count, expectation and Wilson interval', (t) => {
  const lines = splitChartLines(splitReport({ v1: 342, v2: 83 }));
  t.deepEqual(lines, [
    'v1  ████████████████░░░░   80.5% (342)  expected 80% ±5  [75.1, 84.9]',
    'v2  ████░░░░░░░░░░░░░░░░   19.5% (83)   expected 20% ±5  [15.1, 24.9]',
  ]);
});

test('failing and unexpected labels are marked', (t) => {
  const r = splitReport({ v1: 290, v2: 130, '?unknown': 5 });
  const lines = splitChartLines(r);
  t.is(r.status, 'fail');
  t.regex(lines[0], /^v1 {8}█{14}░{6} {3}68\.2% \(290\)  expected 80% ±5  \[62\.\d, 73\.\d\]  ✗$/);
  t.regex(lines[2], /^\?unknown  ░{20} {4}1\.2% \(5\) {4}unexpected  \[0\.\d, 3\.\d\]  ✗$/);
  const text = formatCheckReport(r);
  t.true(text.startsWith('split check FAIL — unexpected label: ?unknown ×5; v1 at 68.2% is 11.8pp from expected 80%'));
  t.true(text.includes('chi-square vs expected split: χ²=') && text.includes('df=1 p='));
});

test('breaker and success-rate summaries carry the numbers', (t) => {
  const breaker: BreakerReport = {
    check: 'breaker', status: 'pass', reason: '95% overflow (≥ 50%) and 10 successful 200s at concurrency 10', url: 'http://x/',
    concurrency: 10, requests: 200, minOverflowPct: 50, counts: { ok: 10, overflow: 190, other503: 0, otherStatus: 0, errors: 0 },
    overflowPct: 95, overflowCiPct: { lower: 91, upper: 97.3 }, otherByReason: {}, elapsedMs: 533,
    latency: { count: 200, p50Ms: 22.6, p95Ms: 44.4, p99Ms: 69.2, maxMs: 71.8 }, latencyOk: null, latencyOverflow: null,
  };
  const b = formatBreakerReport(breaker).split('\n');
  t.is(b[0], 'breaker check PASS — 95% overflow (≥ 50%) and 10 successful 200s at concurrency 10');
  t.is(b[2], '  overflow ███████████████████░  95.0% [91.0, 97.3]  minimum 50%');
  t.is(b[3], '  200 ×10  503+x-envoy-overloaded ×190  other 503 ×0  other status ×0  errors ×0');
  t.is(b[4], '  latency (all): p50 22.6 ms, p95 44.4 ms, p99 69.2 ms, max 71.8 ms (200)');

  const sr: SuccessRateReport = {
    check: 'success-rate', status: 'fail', reason: '20/40 succeeded (50%, minimum 90%)', url: 'http://x/', durationMs: 2000, intervalMs: 50,
    minPct: 90, total: 40, ok: 20, failed: 20, failedByReason: { ECONNREFUSED: 20 }, ratePct: 50, longestFailureStreak: 20,
    failureWindowMs: { first: 1000, last: 1950 }, elapsedMs: 1951, latency: null,
  };
  const s = formatSuccessRateReport(sr).split('\n');
  t.is(s[2], '  success ██████████░░░░░░░░░░  50% (20/40)  minimum 90%');
  t.is(s[3], '  failed 20: ECONNREFUSED ×20');
  t.is(s[4], '  longest failure streak 20; failures between 1000 ms and 1950 ms');
  t.is(s[5], '  latency: no responses');
});
