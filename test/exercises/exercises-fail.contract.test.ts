// Every assertion of every exercise must be able to fail. Each test runs an exercise end to end
// against a fake mesh that misbehaves in one way (test/exercises/fake-gateway.ts, fake-mesh.ts) and
// checks that exactly the assertion meant to catch it FAILS, with the numbers in its message. The
// fakes are seeded, so each run sees the same traffic.
import test from 'ava';
import { makeBlueGreen } from '../../lab/exercises/blue-green.ts';
import { makeCircuitBreaker, type BreakerTiming } from '../../lab/exercises/circuit-breaker.ts';
import { DR_REF, VS_REF } from '../../lab/exercises/front-end-mesh.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { makeTrafficSplit } from '../../lab/exercises/traffic-split.ts';
import type { AnyExercise, ExerciseReport } from '../../lab/exercises/types.ts';
import type { KubernetesObject } from '@kubernetes/client-node';
import { FakeMesh, type FakeMeshOptions } from './fake-mesh.ts';
import { failedNames, one } from './report-picks.ts';

async function runOn(exercise: AnyExercise, opts: FakeMeshOptions) {
  const mesh = new FakeMesh({ seed: 7, ...opts });
  await mesh.start();
  try {
    return await runExercise({ exercise, ops: mesh, provider: 'kind', dataPlane: true, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
  } finally {
    await mesh.stop();
  }
}

const failed = (r: ExerciseReport) => failedNames(r);
const stepError = (r: ExerciseReport, step: string) => r.steps.find((s) => s.name === step)?.error?.message ?? '';

const split = makeTrafficSplit({ convergeTimeoutMs: 2000 });
const BG = { sampleN: 200, stream: { durationMs: 3000, intervalMs: 20, min: 0.995 }, switchAfterMs: 1000, minBeforeMs: 500, minAfterMs: 1000, convergeTimeoutMs: 2000 };
const CB: BreakerTiming = { enforceTimeoutMs: 2000, counterSettleMs: 1500, rolloutTimeoutMs: 1500, endpointsTimeoutMs: 2000, cartsDown: { requests: 10, timeoutMs: 600, maxP95Ms: 150 } };
const breaker = makeCircuitBreaker(CB);

// --- traffic-split -------------------------------------------------------------------------

test('traffic-split: a split 10 points off fails both shares, with the shares and intervals', async (t) => {
  const r = await runOn(split, { skewPp: 10 });
  t.deepEqual(failed(r), ['split: v1 share within 80% ± 5pp', 'split: v2 share within 20% ± 5pp']);
  const v1 = one(r, 'v1 share');
  t.true((v1.numbers.sharePct as number) < 75, `${v1.numbers.sharePct}`);
  t.regex(v1.actual!, /^\d+\.\d% \(\d+\/425\), 99% Wilson CI \[/);
});

test('traffic-split: responses without x-lab-version fail "every response labelled", counted', async (t) => {
  const r = await runOn(split, { dropHeaderPct: 3 });
  const labelled = one(r, 'every response labelled');
  t.is(labelled.status, 'fail');
  t.true((labelled.numbers.unexpected as number) > 0);
  t.regex(labelled.actual!, /×\d+/);
});

test('traffic-split: failed requests fail "no failed requests" with the count by reason', async (t) => {
  const r = await runOn(split, { errorPct: 2 });
  const errors = one(r, 'split: no failed requests');
  t.is(errors.status, 'fail');
  t.regex(errors.actual!, /^\d+ failed: http 503 ×\d+$/);
});

test('traffic-split: a route never pushed (v2 never answers) fails "the whole fixed sample completed"', async (t) => {
  const r = await runOn(split, { pushNever: true });
  const complete = one(r, 'the whole fixed sample completed');
  t.is(complete.status, 'fail');
  t.is(complete.numbers.completed, 0);
  t.regex(complete.actual!, /v1|v2|never|converge/i);
});

test('traffic-split: an API that stores something else fails the read-back of the applied spec', async (t) => {
  const rewrite = (o: KubernetesObject) => (o.kind === 'VirtualService' ? { ...o, spec: { ...(o as { spec: object }).spec, http: [] } } : o);
  const r = await runOn(split, { applyMutates: rewrite });
  const vs = one(r, `VirtualService/${VS_REF.namespace}/${VS_REF.name} routes v1=80`);
  t.is(vs.status, 'fail');
  t.regex(vs.actual!, /^differs: /);
  t.true((vs.numbers.differences as number) > 0);
});

// --- circuit-breaker ------------------------------------------------------------------------

test('circuit-breaker: a gateway that never gets the DestinationRule: act stops, saying how long it waited', async (t) => {
  const r = await runOn(breaker, { pushNever: true });
  t.regex(stepError(r, 'act'), /the gateway does not enforce the DestinationRule's connection pool \d+ ms after it was applied/);
  t.is(r.status, 'fail');
});

test('circuit-breaker: a pool that is ignored fails the overflow share, with the interval', async (t) => {
  const r = await runOn(breaker, { ignorePool: true });
  const shed = one(r, 'shed with 503');
  t.is(shed.status, 'fail');
  t.is(shed.numbers.overflow, 0);
  t.regex(shed.actual!, /^0% \(0\/300\), 95% CI \[0, /);
});

test('circuit-breaker: a pool that admits nothing fails "load is shed, not refused"', async (t) => {
  const r = await runOn(breaker, { poolClosed: true });
  const some200 = one(r, 'some requests still get 200');
  t.is(some200.status, 'fail');
  t.is(some200.numbers.ok, 0);
});

test('circuit-breaker: a counter that misses overflows fails, with both numbers; a counter that lags does not', async (t) => {
  const missing = await runOn(breaker, { counterMissPct: 50 });
  const counter = one(missing, "the gateway's upstream_rq_pending_overflow");
  t.is(counter.status, 'fail');
  t.true((counter.numbers.increase as number) < (counter.numbers.clientOverflow as number), JSON.stringify(counter.numbers));
  t.regex(counter.actual!, /^0 → \d+ \(\+\d+\); the client saw \d+$/);
  const lagging = await runOn(breaker, { counterLagMs: 700 });
  t.is(one(lagging, "the gateway's upstream_rq_pending_overflow").status, 'pass', 'the exercise waits for the counter to catch up');
});

test('circuit-breaker: a gateway rollout that never finishes stops setup with the timeout', async (t) => {
  const r = await runOn(breaker, { rolloutStuck: true });
  t.regex(stepError(r, 'setup'), /timed out after 2s waiting for deployment istio-system\/istio-ingressgateway to finish its rollout/);
});

test('circuit-breaker: carts down and /cart hangs: "every /cart request answered" fails with the count', async (t) => {
  const r = await runOn(breaker, { cartHang: true });
  const answered = one(r, 'every /cart request answered');
  t.is(answered.status, 'fail');
  t.deepEqual([answered.numbers.answered, answered.numbers.unanswered], [0, 10]);
  t.regex(answered.actual!, /ETIMEDOUT/);
});

test('circuit-breaker: a front-end that hides the failure behind a 200 fails "the failure is visible"', async (t) => {
  const r = await runOn(breaker, { cartHidesFailure: true });
  const visible = one(r, 'the failure is visible');
  t.is(visible.status, 'fail');
  t.is(visible.actual, '5xx ×0, 2xx ×10 of 10');
});

test('circuit-breaker: 5xx the gateway answers itself (an ejected front-end) fail "come from front-end"', async (t) => {
  const r = await runOn(breaker, { cartLocalReply: true });
  const via = one(r, 'come from front-end');
  t.is(via.status, 'fail');
  t.is(via.actual, "0 of 10 5xx came from front-end; 10 were the gateway's own reply");
  t.is(one(r, 'fails fast').status, 'pass', 'fast, but for the wrong reason: only the new assertion sees it');
});

test('circuit-breaker: a slow failure fails "fails fast" with p95', async (t) => {
  const r = await runOn(breaker, { cartDelayMs: 300 });
  const fast = one(r, 'fails fast');
  t.is(fast.status, 'fail');
  t.true((fast.numbers.p95Ms as number) >= 300);
  t.regex(fast.actual!, /^p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms$/);
});

test("circuit-breaker: part two runs first, with its own policy, checked on the gateway before carts goes down", async (t) => {
  const mesh = new FakeMesh({ seed: 7 });
  await mesh.start();
  try {
    const r = await runExercise({ exercise: breaker, ops: mesh, provider: 'kind', dataPlane: true, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
    t.is(r.status, 'pass', JSON.stringify(failed(r)));
    const act = r.steps.find((s) => s.name === 'act')!;
    t.true(act.actions.some((a) => a.title.startsWith('until no gateway pod applies a breaker')));
    t.is(one(r, `DestinationRule/${DR_REF.namespace}/${DR_REF.name} has subsets v1/v2 (by the version label) and no traffic policy`).status, 'pass');
  } finally {
    await mesh.stop();
  }
});

// --- blue-green -------------------------------------------------------------------------------

test('blue-green: a 2% leak fails "all from v1" and "all from v2", with the leaked count', async (t) => {
  const r = await runOn(makeBlueGreen(BG), { leakPct: 2 });
  const before = one(r, 'before: all responses');
  const after = one(r, 'after: all responses');
  t.is(before.status, 'fail');
  t.is(after.status, 'fail');
  t.true((before.numbers.v2 as number) > 0 && (before.numbers.v2 as number) < 20, JSON.stringify(before.numbers));
  t.regex(before.actual!, /^v1 \d+\/200, v2 [1-9]\d*$/);
});

test('blue-green: errors during the switch fail the success rate, with the streak', async (t) => {
  const r = await runOn(makeBlueGreen(BG), { switchErrors: 8 });
  const rate = one(r, 'success rate through the switch');
  t.is(rate.status, 'fail');
  t.true((rate.numbers.ratePct as number) < 99.5);
  t.true((rate.numbers.longestFailureStreak as number) >= 8, JSON.stringify(rate.numbers));
});

test('blue-green: a switch that lands too late fails "the stream spanned the switch"', async (t) => {
  const r = await runOn(makeBlueGreen(BG), { applyDelayMs: 1500 });
  const spanned = one(r, 'spanned the switch');
  t.is(spanned.status, 'fail');
  t.true((spanned.numbers.switchAtMs as number) > BG.stream.durationMs - BG.minAfterMs, JSON.stringify(spanned.numbers));
});

test('blue-green: failed requests fail "no failed requests"', async (t) => {
  const r = await runOn(makeBlueGreen(BG), { errorPct: 3 });
  t.is(one(r, 'before: no failed requests').status, 'fail');
  t.regex(one(r, 'before: no failed requests').actual!, /^\d+ failed: http 503 ×\d+$/);
});
