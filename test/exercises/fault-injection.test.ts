// fault-injection against the fake mesh, whose gateway applies the pushed VirtualService's fault in
// Envoy's order (fake-gateway-faults.ts) on a 0.1 time scale (the manifest's 2 s delay lasts 200 ms):
// every assertion passes against the honest fake and each one FAILS, with its numbers, against the
// misbehaviour it is there to catch. Seeded: every run sees the same draws.
import test from 'ava';
import { expectation, faultOf, makeFaultInjection, sampleSize, sizeHow, TIMING, type FaultTiming } from '../../lab/exercises/fault-injection.ts';
import { VS_REF } from '../../lab/exercises/front-end-mesh.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import type { FakeMeshOptions } from './fake-mesh.ts';
import { asserted, failed, one, runOnFake } from './fault-run.ts';

const FAST: FaultTiming = { timeScale: 0.1, fastMaxMs: 100, concurrency: 20, convergeTimeoutMs: 3000 };
const exercise = makeFaultInjection(FAST);

const runOn = (opts: FakeMeshOptions, dataPlane = true) => runOnFake(exercise, { seed: 11, faultTimeScale: FAST.timeScale }, opts, dataPlane);

test('the fault and the sample come from the manifest: 50 % × 2 s, 30 % × 503, n = 664, classified at 1150 ms', (t) => {
  t.deepEqual(faultOf(), { delayPct: 50, delayMs: 2000, abortPct: 30, abortStatus: 503 });
  t.is(sampleSize(), 664);
  t.is(sizeHow(), 'n = ⌈2.576²·0.5·0.5/0.05²⌉ = 664: every share ±5pp at 99%');
  t.is(expectation(TIMING).delayedAtMs, 1150);
  t.true(664 * 0.5 * 2 / TIMING.concurrency <= 60, 'the real run stays under a minute');
});

test('an honest gateway: every assertion passes with its numbers; the VirtualService is restored exactly', async (t) => {
  const { report, mesh } = await runOn({});
  t.is(report.status, 'pass', formatExerciseReport(report));
  t.deepEqual(asserted(report).map((a) => a.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
  const aborted = one(report, 'aborted share');
  const delayed = one(report, 'delayed share');
  t.is(aborted.numbers.answered, 664);
  t.regex(one(report, 'the whole fixed sample completed').expected, /n = ⌈2\.576²·0\.5·0\.5\/0\.05²⌉ = 664/);
  t.true(Math.abs((aborted.numbers.sharePct as number) - 30) <= 5 && Math.abs((delayed.numbers.sharePct as number) - 50) <= 5, `${aborted.actual} / ${delayed.actual}`);
  t.true((one(report, 'waited the fixed delay').numbers.p50Ms as number) >= 200);
  const restored = report.steps.find((s) => s.name === 'cleanup')!.assertions;
  t.deepEqual(restored.map((a) => [a.name, a.status]), [['VirtualService/sock-shop/front-end restored exactly', 'pass']]);
  t.falsy(((await mesh.get(VS_REF)) as { spec: { http: Array<{ fault?: unknown }> } }).spec.http[0].fault, 'no fault left behind');
});

test('sim: the change and its read-back run, the traffic and all six assertions are skipped visibly', async (t) => {
  const { report } = await runOn({}, false);
  t.is(report.status, 'pass');
  t.deepEqual(asserted(report).map((a) => a.status), Array(6).fill('skipped'));
  t.regex(asserted(report)[0].reason!, /skipped \(sim\)/);
  t.is(report.steps.find((s) => s.name === 'setup')!.assertions[0].status, 'pass');
});

test('a fault that is never applied: "the whole fixed sample completed" fails, saying it never showed', async (t) => {
  const { report } = await runOn({ faultIgnored: true });
  const c = one(report, 'the whole fixed sample completed');
  t.is(c.status, 'fail');
  t.is(c.numbers.completed, 0);
  t.regex(c.actual!, /^the fault never showed: no abort and delayed answer within \d+ ms \(\d+ requests\)$/);
});

test('other failures (503 resets): "every answer is 200 or the fault\'s 503" fails, counted by reason', async (t) => {
  const { report } = await runOn({ errorPct: 3 });
  const c = one(report, "every answer is front-end's 200");
  t.is(c.status, 'fail');
  t.true((c.numbers.other as number) > 0);
  t.regex(c.actual!, /^\d+ other: http 503 "upstream connect error/);
});

test('an abort that front-end sent (body and upstream header) is not the fault\'s: counted as other', async (t) => {
  const { report } = await runOn({ abortLooksUpstream: true });
  t.is(one(report, "every answer is front-end's 200").status, 'fail');
});

test('an abort percentage 15 points off fails the aborted share only', async (t) => {
  const { report } = await runOn({ abortSkewPp: 15 });
  t.deepEqual(failed(report), ['fault: aborted share within 30% ± 5pp']);
  t.true((one(report, 'aborted share').numbers.sharePct as number) > 35);
  t.regex(one(report, 'aborted share').actual!, /^\d+(\.\d)?% \(\d+\/664\), 99% Wilson CI \[/);
});

test("aborting before delaying (not Envoy's order) shows only ~35 % delayed: the delayed share fails", async (t) => {
  const { report } = await runOn({ abortSkipsDelay: true });
  t.deepEqual(failed(report), ['fault: delayed share within 50% ± 5pp']);
  t.true((one(report, 'delayed share').numbers.sharePct as number) < 45, one(report, 'delayed share').actual!);
});

test('a delay too short (85 % of fixedDelay) fails "waited the fixed delay" with p50', async (t) => {
  const { report } = await runOn({ delayFactor: 0.85 });
  t.deepEqual(failed(report), ['fault: delayed requests waited the fixed delay, p50 ≥ 200 ms']);
  t.true((one(report, 'waited the fixed delay').numbers.p50Ms as number) < 200);
});

test('a slow backend (120 ms for every request) fails "the others were not slowed"', async (t) => {
  const { report } = await runOn({ delayMs: 120 });
  const c = one(report, 'the others were not slowed');
  t.is(c.status, 'fail');
  t.true((c.numbers.p50Ms as number) >= 100, c.actual!);
});
