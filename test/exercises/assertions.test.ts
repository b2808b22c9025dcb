// The numbers the exercises are judged by: the zero-leak sample size, the 80/20 sample size, and
// assertions that are still listed (skipped, with what they would check) when nothing was observed.
import test from 'ava';
import { requiredSampleSize } from '../../lab/checks/stats.ts';
import { judge, zeroLeakSampleSize } from '../../lab/exercises/assertions.ts';
import { TIMING } from '../../lab/exercises/blue-green.ts';
import { breakerPolicy, CARTS_DOWN, LOAD } from '../../lab/exercises/circuit-breaker.ts';
import { splitWeights, SPLIT_CONFIDENCE, SPLIT_TOLERANCE_PP } from '../../lab/exercises/traffic-split.ts';

test('zero-leak sample: 0 of n other-version responses bounds a 1% leak at 99% → 459', (t) => {
  t.is(zeroLeakSampleSize(0.01, 0.99), 459);
  t.is(zeroLeakSampleSize(0.05, 0.95), 59);
  t.true(0.99 ** 459 <= 0.01 && 0.99 ** 458 > 0.01, 'the smallest n that works');
  t.throws(() => zeroLeakSampleSize(0, 0.99), { instanceOf: RangeError });
  t.throws(() => zeroLeakSampleSize(0.01, 1), { instanceOf: RangeError });
});

test('the exercises\' numbers: 425 for 80/20 ±5pp at 99%, 459 per blue-green sample, 400 stream requests', (t) => {
  const split = splitWeights();
  t.deepEqual(split, { v1: 80, v2: 20 }, 'manifests/exercises/traffic-split/80-20');
  t.is(requiredSampleSize([split.v1 / 100, split.v2 / 100], SPLIT_TOLERANCE_PP, SPLIT_CONFIDENCE), 425);
  t.is(TIMING.sampleN, 459);
  t.is(TIMING.stream.durationMs / TIMING.stream.intervalMs, 400);
  t.is(TIMING.stream.min, 0.995);
  t.deepEqual([LOAD.concurrency, LOAD.requests, LOAD.minOverflow], [10, 300, 0.2]);
  t.is(CARTS_DOWN.maxP95Ms * 10, CARTS_DOWN.timeoutMs);
});

test('the breaker policy uses consecutive5xxErrors (not the deprecated consecutiveErrors)', (t) => {
  const BREAKER_POLICY = breakerPolicy().policy;
  t.deepEqual(breakerPolicy().connections, 1);
  t.deepEqual(BREAKER_POLICY.outlierDetection, { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '30s', maxEjectionPercent: 100 });
  t.false(JSON.stringify(BREAKER_POLICY).includes('consecutiveErrors'));
  t.deepEqual(BREAKER_POLICY.connectionPool, { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } });
});

test('judge: nothing observed → every assertion skipped with the reason and what it would check', (t) => {
  const specs = [{ name: 'a', expected: 'x ≥ 1', judge: (v: number) => ({ pass: v >= 1, actual: `x = ${v}`, numbers: { x: v } }) }];
  t.deepEqual(judge<number>(undefined, 'skipped (sim): needs a data plane', specs), [
    { name: 'a', status: 'skipped', expected: 'x ≥ 1', actual: null, numbers: {}, reason: 'skipped (sim): needs a data plane' },
  ]);
  t.deepEqual(judge(0, 'n/a', specs).map((a) => [a.status, a.actual, a.numbers]), [['fail', 'x = 0', { x: 0 }]]);
});

test('judge: a judge that throws is a failed assertion saying why, not a crash', (t) => {
  const [a] = judge({}, 'n/a', [{ name: 'b', expected: 'y', judge: () => { throw new Error('no labels'); } }]);
  t.deepEqual([a.status, a.reason], ['fail', 'could not judge: no labels']);
});
