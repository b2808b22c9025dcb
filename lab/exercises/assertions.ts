// Pure judgement of what act observed. Each assertion is declared with its expectation up front,
// so without a data plane it is still listed (as skipped) with the numbers it would have checked.
import type { SplitReport } from '../checks/report-types.ts';
import type { AssertionResult, Numbers } from './types.ts';

export interface Judged {
  pass: boolean;
  actual: string;
  numbers: Numbers;
}

export interface AssertionSpec<R> {
  name: string;
  expected: string;
  judge(observed: R): Judged;
}

/** Judge every spec against `observed`; all skipped (with `skipReason`) when it is undefined. */
export function judge<R>(observed: R | undefined, skipReason: string, specs: AssertionSpec<R>[]): AssertionResult[] {
  return specs.map((s) => {
    if (observed === undefined) return { name: s.name, status: 'skipped', expected: s.expected, actual: null, numbers: {}, reason: skipReason };
    try {
      const j = s.judge(observed);
      return { name: s.name, status: j.pass ? 'pass' : 'fail', expected: s.expected, actual: j.actual, numbers: j.numbers };
    } catch (err) {
      return { name: s.name, status: 'fail', expected: s.expected, actual: null, numbers: {}, reason: `could not judge: ${(err as Error).message}` };
    }
  });
}

/**
 * Requests needed so that a leak of at least `maxLeak` (e.g. 1% of traffic still going to the old
 * version) shows up at least once with probability `confidence`: ⌈ln(1−confidence) / ln(1−maxLeak)⌉.
 * (1% at 99% → 459.)
 */
export function zeroLeakSampleSize(maxLeak: number, confidence: number): number {
  if (!(maxLeak > 0 && maxLeak < 1)) throw new RangeError(`maxLeak must be between 0 and 1, got ${maxLeak}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  return Math.ceil(Math.log(1 - confidence) / Math.log(1 - maxLeak) - 1e-9);
}

const pct = (v: number) => `${v.toFixed(1)}%`;

function labelOf(r: SplitReport, label: string) {
  return r.labels.find((l) => l.label === label);
}

/** The sample ran to completion: every planned request finished. */
export function sampleComplete(what: string): AssertionSpec<SplitReport> {
  return {
    name: `${what}: the whole fixed sample completed`,
    expected: 'every expected version answered during convergence, then all n planned requests finished',
    judge: (r) => ({
      pass: r.converge.converged && r.sample.completed === r.sample.n,
      actual: r.converge.converged ? `${r.sample.completed}/${r.sample.n} finished (${r.sample.how})` : r.reason,
      numbers: { n: r.sample.n, completed: r.sample.completed, convergeMs: r.converge.ms },
    }),
  };
}

/** No request failed (5xx or no response). */
export function noErrors(what: string): AssertionSpec<SplitReport> {
  return {
    name: `${what}: no failed requests`,
    expected: '0 requests with a 5xx or no response',
    judge: (r) => ({
      pass: r.errors.count <= r.errors.max,
      actual: r.errors.count === 0 ? '0 failed' : `${r.errors.count} failed: ${Object.entries(r.errors.byReason).map(([k, v]) => `${k} ×${v}`).join(', ')}`,
      numbers: { errors: r.errors.count, maxErrors: r.errors.max },
    }),
  };
}

/** One label's share is within the tolerance of its weight. */
export function shareWithin(what: string, label: string, weight: number, tolerancePp: number): AssertionSpec<SplitReport> {
  return {
    name: `${what}: ${label} share within ${weight}% ± ${tolerancePp}pp`,
    expected: `${weight - tolerancePp}% ≤ share of ${label} ≤ ${weight + tolerancePp}%`,
    judge: (r): Judged => {
      const l = labelOf(r, label);
      if (!l) return { pass: false, actual: `${label} not in the report`, numbers: {} };
      return {
        pass: l.withinTolerance,
        actual: `${pct(l.sharePct)} (${l.count}/${r.sample.classified}), ${+(r.confidence * 100).toFixed(2)}% Wilson CI [${pct(l.ciPct.lower)}, ${pct(l.ciPct.upper)}]`,
        numbers: { count: l.count, classified: r.sample.classified, sharePct: l.sharePct, ciLowerPct: l.ciPct.lower, ciUpperPct: l.ciPct.upper, deviationPp: l.deviationPp },
      };
    },
  };
}

/** Every response carried one of the expected labels (no "?unknown", no third version). */
export function onlyExpectedLabels(what: string, labels: string[]): AssertionSpec<SplitReport> {
  return {
    name: `${what}: every response labelled ${labels.join(' or ')}`,
    expected: `0 responses without x-lab-version or with another value`,
    judge: (r) => ({
      pass: r.unexpectedLabels.length === 0,
      actual: r.unexpectedLabels.length === 0 ? 'none unexpected' : r.unexpectedLabels.map((l) => `${l} ×${labelOf(r, l)?.count ?? 0}`).join(', '),
      numbers: { unexpected: r.unexpectedLabels.reduce((a, l) => a + (labelOf(r, l)?.count ?? 0), 0) },
    }),
  };
}

/** All of the sample went to `only`: not one response from any other version. */
export function allTo(what: string, only: string, other: string): AssertionSpec<SplitReport> {
  return {
    name: `${what}: all responses from ${only}, none from ${other}`,
    expected: `${other} = 0 and ${only} = every classified response (0 of n bounds a leak: see numbers)`,
    judge: (r) => {
      const got = labelOf(r, only)?.count ?? 0;
      const leaked = labelOf(r, other)?.count ?? 0;
      return {
        pass: leaked === 0 && got === r.sample.classified && got > 0,
        actual: `${only} ${got}/${r.sample.classified}, ${other} ${leaked}`,
        numbers: { [only]: got, [other]: leaked, classified: r.sample.classified, leakUpperPct: r.sample.classified > 0 ? +(100 * (1 - (1 - 0.99) ** (1 / r.sample.classified))).toFixed(2) : null },
      };
    },
  };
}
