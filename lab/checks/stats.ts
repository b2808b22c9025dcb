// Statistics used by the lab checks: sample sizes, confidence intervals,
// chi-square goodness of fit and percentiles. Everything is implemented here
// (no stats dependency) so the numbers can be audited and unit-tested.

import { chiSquareSurvival, inverseNormalCdf } from './special-functions.ts';

export { chiSquareSurvival, inverseNormalCdf, logGamma, normalCdf, regularizedGammaQ } from './special-functions.ts';

export interface Interval {
  lower: number;
  upper: number;
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

function assertFiniteNumber(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name}: expected a finite number, got ${String(value)}`);
  }
}

function assertConfidence(fn: string, confidence: number): void {
  assertFiniteNumber(`${fn}: confidence`, confidence);
  if (confidence <= 0 || confidence >= 1) {
    throw new RangeError(`${fn}: confidence must be strictly between 0 and 1, got ${confidence}`);
  }
}

/** Two-sided critical value: z such that P(|Z| <= z) = confidence. */
export function zForConfidence(confidence: number): number {
  assertConfidence('zForConfidence', confidence);
  return inverseNormalCdf(1 - (1 - confidence) / 2);
}

/** The share with the largest binomial variance p(1−p), i.e. the one nearest 0.5. */
export function shareNearestHalf(shares: readonly number[]): number {
  if (shares.length === 0) throw new RangeError('shareNearestHalf: no shares');
  return shares.reduce((best, s) => (Math.abs(s - 0.5) < Math.abs(best - 0.5) ? s : best), shares[0]);
}

/**
 * Sample size so that every share is estimated within ±tolerancePp percentage points
 * at the given confidence: ⌈z²·p(1−p)/E²⌉ with p the expected share nearest 0.5.
 * `shares` are fractions (0..1), e.g. [0.8, 0.2].
 */
export function requiredSampleSize(shares: number[], tolerancePp: number, confidence: number): number {
  if (!Array.isArray(shares) || shares.length === 0) throw new RangeError('requiredSampleSize: shares must be a non-empty array');
  for (const s of shares) {
    assertFiniteNumber('requiredSampleSize: share', s);
    if (s < 0 || s > 1) throw new RangeError(`requiredSampleSize: shares are fractions between 0 and 1, got ${s}`);
  }
  assertFiniteNumber('requiredSampleSize: tolerancePp', tolerancePp);
  if (tolerancePp <= 0 || tolerancePp >= 100) {
    throw new RangeError(`requiredSampleSize: tolerancePp must be between 0 and 100 percentage points, got ${tolerancePp}`);
  }
  assertConfidence('requiredSampleSize', confidence);
  const p = shareNearestHalf(shares);
  const z = zForConfidence(confidence);
  const e = tolerancePp / 100;
  const n = (z * z * p * (1 - p)) / (e * e);
  // Guard against 424.0000000001-style float noise turning an exact integer into n+1.
  return Math.max(1, Math.ceil(n - 1e-9));
}

/** Wilson score interval for a binomial proportion successes/n. */
export function wilsonInterval(successes: number, n: number, confidence: number): Interval {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`wilsonInterval: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval: successes must be an integer in [0, ${n}], got ${successes}`);
  }
  const z = zForConfidence(confidence);
  const z2 = z * z;
  const pHat = successes / n;
  const denom = 1 + z2 / n;
  const center = (pHat + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((pHat * (1 - pHat)) / n + z2 / (4 * n * n));
  // Exact at the edges (0/n and n/n), where float noise would give 1e-17 / 0.9999999999999999.
  return {
    lower: successes === 0 ? 0 : Math.max(0, center - half),
    upper: successes === n ? 1 : Math.min(1, center + half),
  };
}

/**
 * Pearson chi-square goodness of fit of observed counts against expected shares
 * (any non-negative weights; they are normalised). A positive count in a category
 * with expected share 0 gives statistic = Infinity and pValue = 0.
 */
export function chiSquareGoodnessOfFit(observed: number[], expectedShares: number[]): ChiSquareResult {
  if (observed.length !== expectedShares.length) {
    throw new RangeError(`chiSquareGoodnessOfFit: ${observed.length} observed counts but ${expectedShares.length} expected shares`);
  }
  if (observed.length < 2) throw new RangeError('chiSquareGoodnessOfFit: need at least 2 categories');
  for (const o of observed) {
    if (!Number.isInteger(o) || o < 0) throw new RangeError(`chiSquareGoodnessOfFit: observed counts must be non-negative integers, got ${o}`);
  }
  for (const s of expectedShares) {
    assertFiniteNumber('chiSquareGoodnessOfFit: expected share', s);
    if (s < 0) throw new RangeError(`chiSquareGoodnessOfFit: expected shares must be >= 0, got ${s}`);
  }
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = expectedShares.reduce((a, b) => a + b, 0);
  if (total === 0) throw new RangeError('chiSquareGoodnessOfFit: no observations');
  if (weightSum === 0) throw new RangeError('chiSquareGoodnessOfFit: expected shares sum to 0');
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (total * expectedShares[i]) / weightSum;
    if (expected === 0) {
      if (observed[i] > 0) statistic = Infinity;
      continue;
    }
    statistic += (observed[i] - expected) ** 2 / expected;
  }
  const df = observed.length - 1;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/** Linear-interpolated percentile (q in [0, 1]) of values sorted ascending. */
export function percentile(sortedValues: readonly number[], q: number): number {
  if (sortedValues.length === 0) throw new RangeError('percentile: no values');
  assertFiniteNumber('percentile: q', q);
  if (q < 0 || q > 1) throw new RangeError(`percentile: q must be in [0, 1], got ${q}`);
  for (let i = 1; i < sortedValues.length; i++) {
    if (sortedValues[i] < sortedValues[i - 1]) throw new RangeError(`percentile: values must be sorted ascending (index ${i})`);
  }
  const pos = q * (sortedValues.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sortedValues[lo] + (sortedValues[hi] - sortedValues[lo]) * (pos - lo);
}
