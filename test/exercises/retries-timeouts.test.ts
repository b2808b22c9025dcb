// retries-timeouts against the fake mesh: its gateway runs the pushed route's timeout and retries
// as Envoy's router does (with Istio's retry defaults) in front of front-end's sidecar applying the
// pushed carts VirtualService (fake-gateway-faults.ts), on a 0.3 time scale (1 s → 300 ms, 3 s →
// 900 ms: wide enough that a loaded machine's timer jitter stays inside the bounds). Every assertion passes against the honest fake and FAILS, with its numbers, against the
// misbehaviour it is there to catch. Seeded.
import test from 'ava';
import { acceptRange } from '../../lab/exercises/retries-timeouts-sample.ts';
import { CARTS_VS_REF, makeRetriesTimeouts, RETRIES_N, settings, TIMEOUT_N, type RetriesTiming } from '../../lab/exercises/retries-timeouts.ts';
import { VS_REF } from '../../lab/exercises/front-end-mesh.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import type { FakeMeshOptions } from './fake-mesh.ts';
import { asserted, failed, one, runOnFake } from './fault-run.ts';

/** ms of the manifests' time in the fake's. */
const at = (ms: number) => ms * 0.3;
const FAST: RetriesTiming = { timeScale: 0.3, concurrency: 10, convergeTimeoutMs: 3000 };
const exercise = makeRetriesTimeouts(FAST);

const runOn = (opts: FakeMeshOptions, dataPlane = true) => runOnFake(exercise, { seed: 5, faultTimeScale: FAST.timeScale }, opts, dataPlane);

/** P(X in [lo, hi]) for X ~ Binomial(n, p), summed in log space. */
function binomialMass(n: number, p: number, lo: number, hi: number): number {
  let logC = 0;
  let sum = 0;
  for (let k = 0; k <= hi; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    if (k >= lo) sum += Math.exp(logC + k * Math.log(p) + (n - k) * Math.log(1 - p));
  }
  return sum;
}

test('the numbers: 1 s timeout vs 3 s delay, 30 % abort, 3 retries; n = 90 and 1000; the ranges hold their error rates', (t) => {
  t.deepEqual(settings(), { timeoutMs: 1000, delayMs: 3000, abortP: 0.3, attempts: 3 });
  t.is(TIMEOUT_N, 90);
  t.is(RETRIES_N, 1000);
  const withR = acceptRange(0.3 ** 4, RETRIES_N, 0.99);
  const without = acceptRange(0.3, RETRIES_N, 0.99);
  t.log(`with retries: ${withR.lo}..${withR.hi}; without: ${without.lo}..${without.hi}`);
  t.true(binomialMass(RETRIES_N, 0.3 ** 4, withR.lo, withR.hi) >= 0.98, 'a true 0.3⁴ passes at least 98 % of runs');
  t.true(binomialMass(RETRIES_N, 0.3 ** 3, withR.lo, withR.hi) <= 0.05, 'attempts read as tries (0.3³) fails at least 95 % of runs');
  t.true(binomialMass(RETRIES_N, 0.3, without.lo, without.hi) >= 0.98);
  t.true(binomialMass(RETRIES_N, 0.3 ** 3, without.lo, without.hi) < 1e-6, "Istio's default 2 retries on the comparison route fail it");
});

test('an honest mesh: all eight assertions pass; front-end restored, the carts VirtualService deleted', async (t) => {
  const { report, mesh } = await runOn({});
  t.is(report.status, 'pass', formatExerciseReport(report));
  t.deepEqual(asserted(report).map((a) => a.status), Array(8).fill('pass'));
  t.log(asserted(report).map((a) => `${a.name}: ${a.actual}`).join('\n'));
  t.true((one(report, 'without retries').numbers.errors as number) > 200);
  t.true((one(report, 'with retries').numbers.errors as number) < 20);
  t.deepEqual(report.steps.find((s) => s.name === 'cleanup')!.assertions.map((a) => [a.name, a.status]), [
    ['VirtualService/sock-shop/carts (created by the exercise) deleted', 'pass'],
    ['VirtualService/sock-shop/front-end restored exactly', 'pass'],
  ]);
  t.is(await mesh.get(CARTS_VS_REF), undefined);
  t.truthy(await mesh.get(VS_REF));
});

test('sim: both changes run and are read back; the traffic and all eight assertions are skipped visibly', async (t) => {
  const { report } = await runOn({}, false);
  t.is(report.status, 'pass');
  t.deepEqual(asserted(report).map((a) => a.status), Array(8).fill('skipped'));
  t.regex(asserted(report)[0].reason!, /skipped \(sim\)/);
});

test('a route timeout that is ignored: no 504 ever shows, "all 504" fails saying so (and so do the latency bounds, with nothing to measure)', async (t) => {
  const { report } = await runOn({ timeoutIgnored: true });
  const all504 = one(report, 'answered 504');
  t.is(all504.status, 'fail');
  t.regex(all504.actual!, /^no 504 within \d+ ms: the timeout never showed$/);
  t.is(failed(report).filter((n) => n.startsWith('timeout')).length, 4);
  t.is(failed(report).filter((n) => n.startsWith('retries')).length, 0, 'part two is not affected');
});

test('a timeout that fires at half its value: "none answered before the timeout" fails with the minimum', async (t) => {
  const { report } = await runOn({ timeoutFactor: 0.5 });
  const early = one(report, 'none answered before');
  t.deepEqual(failed(report), [early.name]);
  t.true((early.numbers.minMs as number) < at(950), early.actual!);
});

test('a timeout too long (×2.5 = 2.5 s of the 3 s delay): p95 fails with its value', async (t) => {
  const { report } = await runOn({ timeoutFactor: 2.5 });
  const p95 = one(report, 'p95 <');
  t.is(p95.status, 'fail');
  t.true((p95.numbers.p95Ms as number) >= at(1500), p95.actual!);
});

test('10 % of requests escaping the timeout: the 200s that waited the full delay fail "none waited", with the max', async (t) => {
  const { report } = await runOn({ timeoutMissPct: 10 });
  const waited = one(report, 'none waited');
  t.is(waited.status, 'fail');
  t.true((waited.numbers.maxMs as number) >= at(3000), waited.actual!);
});

for (const [what, opts] of [
  ['retries ignored', { retriesIgnored: true }],
  ['attempts read as tries in total (0.3³)', { retryAttemptsAsTotal: true }],
  ['retries on the wrong codes (not 503)', { retryWrongCodes: true }],
] as const) {
  test(`${what}: "with retries, error rate about 0.3^4" fails with the count`, async (t) => {
    const { report } = await runOn(opts);
    t.deepEqual(failed(report), ['retries: with retries, error rate about 0.3^4']);
    const r = one(report, 'with retries');
    t.true((r.numbers.errors as number) > (r.numbers.hi as number), r.actual!);
    t.regex(r.actual!, /^\d+\/1000 = [\d.]+ %$/);
  });
}

test("attempts: 0 read as unset (Istio's default 2 retries on 503): the comparison route fails", async (t) => {
  const { report } = await runOn({ zeroAttemptsAsDefault: true });
  t.deepEqual(failed(report), ['retries: without retries, error rate about 0.3']);
  t.true((one(report, 'without retries').numbers.errors as number) < 100);
});

test('other failures (503 resets at the gateway) fail "every error is the fault\'s 503"', async (t) => {
  const { report } = await runOn({ errorPct: 2 });
  const e = one(report, "every error is the fault's 503");
  t.is(e.status, 'fail');
  t.true((e.numbers.otherErrors as number) > 0);
  t.regex(e.actual!, /http 503 ×\d+/);
});

test('answers without their route stamp fail "both samples complete, each on its own route"', async (t) => {
  const { report } = await runOn({ dropHeaderPct: 2 });
  const c = one(report, 'each on its own route');
  t.is(c.status, 'fail');
  t.true((c.numbers.wrongRoute as number) > 0);
});

test('each request of a sample draws by its own index (x-lab-request): two honest runs count the same errors, whatever the arrival order', async (t) => {
  const errors = (r: ExerciseReport) => asserted(r).filter((a) => /error rate/.test(a.name)).map((a) => a.actual);
  const [a, b] = [await runOn({}), await runOn({})];
  t.true(errors(a.report).length >= 2, asserted(a.report).map((x) => x.name).join(' | '));
  t.deepEqual(errors(b.report), errors(a.report));
});
