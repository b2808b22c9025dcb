import test from 'ava';
import {
  chiSquareGoodnessOfFit, chiSquareSurvival, inverseNormalCdf, logGamma, normalCdf, percentile,
  regularizedGammaQ, requiredSampleSize, wilsonInterval, zForConfidence,
} from '../../lab/checks/stats.ts';

const close = (actual: number, expected: number, tol: number) => Math.abs(actual - expected) <= tol;

test('zForConfidence matches tabulated two-sided critical values', (t) => {
  t.true(close(zForConfidence(0.99), 2.5758293035489, 1e-12), String(zForConfidence(0.99)));
  t.true(close(zForConfidence(0.95), 1.9599639845401, 1e-12));
  t.true(close(zForConfidence(0.90), 1.6448536269515, 1e-12));
  t.true(close(zForConfidence(0.999), 3.2905267314919, 1e-11));
  t.throws(() => zForConfidence(1), { message: /confidence must be strictly between 0 and 1, got 1/ });
  t.throws(() => zForConfidence(99), { message: /got 99/ });
});

test('inverseNormalCdf covers both tails and the centre; normalCdf inverts it', (t) => {
  t.is(inverseNormalCdf(0.5), 0);
  t.true(close(inverseNormalCdf(0.025), -1.9599639845401, 1e-12));
  t.true(close(inverseNormalCdf(1e-10), -6.3613409024041, 1e-9));
  t.true(close(inverseNormalCdf(0.3), -0.52440051270804, 1e-12));
  for (const p of [1e-8, 0.001, 0.02, 0.2, 0.7, 0.98, 0.999999]) t.true(close(normalCdf(inverseNormalCdf(p)), p, p * 1e-12 + 1e-15));
  t.true(close(normalCdf(1.96), 0.97500210485178, 1e-13));
  t.throws(() => inverseNormalCdf(0), { message: /p must be strictly between 0 and 1/ });
});

test('requiredSampleSize: 425 for 80:20 at ±5pp / 99%, 664 worst case, p nearest 0.5 wins', (t) => {
  t.is(requiredSampleSize([0.8, 0.2], 5, 0.99), 425);
  t.is(requiredSampleSize([0.5, 0.5], 5, 0.99), 664);
  t.is(requiredSampleSize([0.5, 0.25, 0.25], 5, 0.99), 664);
  t.is(requiredSampleSize([0.9, 0.1], 5, 0.99), 239); // 6.6349·0.09/0.0025 = 238.9
  t.is(requiredSampleSize([0.8, 0.2], 5, 0.95), 246); // 3.8415·0.16/0.0025 = 245.9
  t.is(requiredSampleSize([0.5], 1, 0.95), 9604); // the classic ±1pp poll size
  t.throws(() => requiredSampleSize([80, 20], 5, 0.99), { message: /shares are fractions between 0 and 1, got 80/ });
  t.throws(() => requiredSampleSize([0.8, 0.2], 0, 0.99), { message: /tolerancePp must be between 0 and 100/ });
  t.throws(() => requiredSampleSize([], 5, 0.99), { message: /non-empty/ });
});

test('wilsonInterval: 80/100 at 95% ≈ [0.7112, 0.8666]; edges stay inside [0, 1]', (t) => {
  const ci = wilsonInterval(80, 100, 0.95);
  t.true(close(ci.lower, 0.71117, 5e-5), String(ci.lower));
  t.true(close(ci.upper, 0.86663, 5e-5), String(ci.upper));
  const zero = wilsonInterval(0, 50, 0.95);
  t.is(zero.lower, 0);
  t.true(close(zero.upper, 0.07135, 5e-5), String(zero.upper));
  const all = wilsonInterval(10, 10, 0.99);
  t.is(all.upper, 1);
  t.true(close(all.lower, 10 / (10 + 2.5758293035489 ** 2), 1e-12), String(all.lower)); // n/(n+z²) when p̂ = 1
  t.throws(() => wilsonInterval(11, 10, 0.95), { message: /successes must be an integer in \[0, 10\], got 11/ });
  t.throws(() => wilsonInterval(0, 0, 0.95), { message: /n must be a positive integer/ });
});

test('chiSquareSurvival at tabulated 5% and 1% critical values', (t) => {
  t.true(close(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-12));
  t.true(close(chiSquareSurvival(3.84, 1), 0.05004, 1e-5));
  t.true(close(chiSquareSurvival(11.070497693516351, 5), 0.05, 1e-12));
  t.true(close(chiSquareSurvival(11.07, 5), 0.05001, 1e-5));
  t.true(close(chiSquareSurvival(6.634896601021214, 1), 0.01, 1e-12));
  t.true(close(chiSquareSurvival(23.209251158954356, 10), 0.01, 1e-12));
  t.true(close(chiSquareSurvival(2, 2), Math.exp(-1), 1e-14)); // df=2 is exponential
  t.is(chiSquareSurvival(0, 3), 1);
  t.true(chiSquareSurvival(100, 3) < 1e-20);
  t.throws(() => chiSquareSurvival(1, 0), { message: /df must be a positive integer, got 0/ });
});

test('regularizedGammaQ and logGamma against closed forms', (t) => {
  t.true(close(logGamma(5), Math.log(24), 1e-13));
  t.true(close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-13));
  t.true(close(logGamma(101), 363.73937555556347, 1e-9));
  t.true(close(regularizedGammaQ(1, 3), Math.exp(-3), 1e-14)); // Q(1,x) = e^-x
  t.true(close(regularizedGammaQ(3, 0.5), Math.exp(-0.5) * (1 + 0.5 + 0.125), 1e-14));
  t.true(close(regularizedGammaQ(3, 10), Math.exp(-10) * (1 + 10 + 50), 1e-16));
});

test('chiSquareGoodnessOfFit: statistic, df and p-value', (t) => {
  const fair = chiSquareGoodnessOfFit([60, 40], [0.5, 0.5]);
  t.is(fair.df, 1);
  t.true(close(fair.statistic, 4, 1e-12));
  t.true(close(fair.pValue, 0.0455003, 1e-6));
  const exact = chiSquareGoodnessOfFit([340, 85], [80, 20]); // weights need not be fractions
  t.is(exact.statistic, 0);
  t.is(exact.pValue, 1);
  const three = chiSquareGoodnessOfFit([50, 30, 20], [0.5, 0.25, 0.25]);
  t.is(three.df, 2);
  t.true(close(three.statistic, 2, 1e-12)); // 0 + 25/25 + 25/25
  t.true(close(three.pValue, Math.exp(-1), 1e-12));
  const impossible = chiSquareGoodnessOfFit([5, 1], [1, 0]);
  t.is(impossible.statistic, Infinity);
  t.is(impossible.pValue, 0);
  t.throws(() => chiSquareGoodnessOfFit([1, 2, 3], [0.5, 0.5]), { message: /3 observed counts but 2 expected shares/ });
});

test('percentile interpolates linearly and rejects unsorted input', (t) => {
  const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  t.is(percentile(v, 0), 1);
  t.is(percentile(v, 1), 10);
  t.is(percentile(v, 0.5), 5.5);
  t.true(close(percentile(v, 0.95), 9.55, 1e-12));
  t.true(close(percentile(v, 0.99), 9.91, 1e-12));
  t.is(percentile([42], 0.99), 42);
  t.throws(() => percentile([3, 1], 0.5), { message: /sorted ascending \(index 1\)/ });
  t.throws(() => percentile([], 0.5), { message: /no values/ });
  t.throws(() => percentile(v, 95), { message: /q must be in \[0, 1\], got 95/ });
});
