// The pass/fail decision for one fixed split sample. Pure, so the benchmark
// (bench/split-stats.ts) simulates exactly the rule the live check applies.
import { chiSquareGoodnessOfFit, wilsonInterval } from './stats.ts';
import { describeCounts } from './tally.ts';
import type { CheckStatus, SplitLabelReport } from './report-types.ts';
import type { SplitExpectation } from './split-expect.ts';

export interface SplitSample {
  /** Classified responses per label (may include unexpected labels such as "?unknown"). */
  counts: Record<string, number>;
  /** Requests without a usable response (transport errors, 5xx), by reason. */
  errorsByReason: Record<string, number>;
}

export interface SplitRules {
  expect: SplitExpectation;
  tolerancePp: number;
  confidence: number;
  maxErrors: number;
}

export interface SplitDecision {
  status: CheckStatus;
  reason: string;
  labels: SplitLabelReport[];
  unexpectedLabels: string[];
  errorCount: number;
  classified: number;
  chiSquare: { statistic: number; df: number; pValue: number } | null;
}

// Shares and tolerances compare in percentage points; allow float noise (75.00000000001).
const PP_EPSILON = 1e-9;
const round = (v: number, digits = 2) => Number(v.toFixed(digits));

export function withinTolerance(count: number, classified: number, expectedPct: number, tolerancePp: number): boolean {
  return Math.abs((100 * count) / classified - expectedPct) <= tolerancePp + PP_EPSILON;
}

/** Fast path for the benchmark: same rule as evaluateSplitSample, no report building. */
export function splitSamplePasses(counts: Record<string, number>, errors: number, rules: SplitRules): boolean {
  if (errors > rules.maxErrors) return false;
  let classified = 0;
  for (const [label, c] of Object.entries(counts)) {
    if (c > 0 && !Object.hasOwn(rules.expect, label)) return false;
    classified += c;
  }
  if (classified === 0) return false;
  return Object.entries(rules.expect).every(([label, w]) => withinTolerance(counts[label] ?? 0, classified, w, rules.tolerancePp));
}

export function evaluateSplitSample(sample: SplitSample, rules: SplitRules): SplitDecision {
  const errorCount = Object.values(sample.errorsByReason).reduce((a, b) => a + b, 0);
  const classified = Object.values(sample.counts).reduce((a, b) => a + b, 0);
  const expectedLabels = Object.keys(rules.expect);
  const unexpectedLabels = Object.keys(sample.counts).filter((l) => sample.counts[l] > 0 && !Object.hasOwn(rules.expect, l)).sort();
  const labels: SplitLabelReport[] = [];
  for (const label of [...expectedLabels, ...unexpectedLabels]) {
    const count = sample.counts[label] ?? 0;
    const expectedPct = Object.hasOwn(rules.expect, label) ? rules.expect[label] : null;
    const sharePct = classified > 0 ? (100 * count) / classified : 0;
    const ci = classified > 0 ? wilsonInterval(count, classified, rules.confidence) : { lower: 0, upper: 1 };
    labels.push({
      label,
      expectedPct,
      count,
      sharePct: round(sharePct, 3),
      ciPct: { lower: round(100 * ci.lower), upper: round(100 * ci.upper) },
      deviationPp: expectedPct === null ? null : round(sharePct - expectedPct, 3),
      withinTolerance: expectedPct !== null && classified > 0 && withinTolerance(count, classified, expectedPct, rules.tolerancePp),
    });
  }

  const positive = expectedLabels.filter((l) => rules.expect[l] > 0);
  const fitCounts = positive.map((l) => sample.counts[l] ?? 0);
  const chiSquare = positive.length >= 2 && fitCounts.some((c) => c > 0)
    ? chiSquareGoodnessOfFit(fitCounts, positive.map((l) => rules.expect[l]))
    : null;

  const problems: string[] = [];
  if (errorCount > rules.maxErrors) {
    problems.push(`${errorCount} failed request${errorCount === 1 ? '' : 's'} (max ${rules.maxErrors}): ${describeCounts(sample.errorsByReason)}`);
  }
  if (unexpectedLabels.length > 0) {
    problems.push(`unexpected label${unexpectedLabels.length === 1 ? '' : 's'}: ${unexpectedLabels.map((l) => `${l} ×${sample.counts[l]}`).join(', ')}`);
  }
  if (classified === 0) {
    problems.push('no classified responses');
  } else {
    for (const l of labels) {
      if (l.expectedPct === null || l.withinTolerance) continue;
      problems.push(`${l.label} at ${l.sharePct.toFixed(1)}% is ${Math.abs(l.deviationPp ?? 0).toFixed(1)}pp from expected ${l.expectedPct}% (tolerance ±${rules.tolerancePp}pp)`);
    }
  }
  const status: CheckStatus = problems.length === 0 ? 'pass' : 'fail';
  const reason = status === 'pass'
    ? `every share within ±${rules.tolerancePp}pp of expected over ${classified} classified responses`
    : problems.join('; ');
  return { status, reason, labels, unexpectedLabels, errorCount, classified, chiSquare };
}
