// Plain, JSON-serialisable report shapes for every check. Percentages are in
// percent (0..100) and named *Pct / *Pp; durations are in milliseconds (*Ms).

export type CheckStatus = 'pass' | 'fail';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface CheckReportBase {
  status: CheckStatus;
  /** One sentence saying why it passed or failed. */
  reason: string;
  url: string;
}

export interface SplitLabelReport {
  label: string;
  /** Expected weight in percent; null for a label that was not expected. */
  expectedPct: number | null;
  count: number;
  sharePct: number;
  /** Wilson interval at the report's confidence, in percent. */
  ciPct: { lower: number; upper: number };
  /** sharePct − expectedPct (null for unexpected labels). */
  deviationPp: number | null;
  withinTolerance: boolean;
}

export interface SplitReport extends CheckReportBase {
  check: 'split';
  expect: Record<string, number>;
  tolerancePp: number;
  confidence: number;
  classify: string;
  sample: {
    /** Requests planned for the fixed sample. */
    n: number;
    /** Requests that completed (classified or errored) before the sample deadline. */
    completed: number;
    /** Responses that were classified (n minus errors). */
    classified: number;
    source: 'computed' | 'given';
    /** How n was chosen, e.g. "⌈z²·p(1−p)/E²⌉ with z=2.576 (99%), p=0.20, E=5pp → 425". */
    how: string;
    /** requiredSampleSize for these expectations, for comparison when n was given. */
    recommended: number;
  };
  labels: SplitLabelReport[];
  unexpectedLabels: string[];
  errors: { count: number; max: number; byReason: Record<string, number> };
  /** Goodness of fit of the expected labels' counts against the expected weights (informational). */
  chiSquare: { statistic: number; df: number; pValue: number } | null;
  converge: { ms: number; requests: number; errors: number; seen: Record<string, number>; converged: boolean };
  timings: { sampleMs: number; requestsPerSecond: number };
  latency: LatencySummary | null;
}

export interface BreakerReport extends CheckReportBase {
  check: 'breaker';
  concurrency: number;
  requests: number;
  minOverflowPct: number;
  counts: { ok: number; overflow: number; other503: number; otherStatus: number; errors: number };
  overflowPct: number;
  /** Wilson 95% interval of the overflow share, in percent. */
  overflowCiPct: { lower: number; upper: number };
  otherByReason: Record<string, number>;
  elapsedMs: number;
  latency: LatencySummary | null;
  latencyOk: LatencySummary | null;
  latencyOverflow: LatencySummary | null;
}

export interface SuccessRateReport extends CheckReportBase {
  check: 'success-rate';
  durationMs: number;
  intervalMs: number;
  minPct: number;
  total: number;
  ok: number;
  failed: number;
  failedByReason: Record<string, number>;
  ratePct: number;
  longestFailureStreak: number;
  /** Launch times (relative to start) of the first and last failed request; null if none failed. */
  failureWindowMs: { first: number; last: number } | null;
  elapsedMs: number;
  latency: LatencySummary | null;
}

export type CheckReport = SplitReport | BreakerReport | SuccessRateReport;
