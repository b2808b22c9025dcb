// Contract: the three exercises end to end — setup, real HTTP traffic, assertions, diagnose,
// cleanup — against the fake mesh (test/exercises/fake-mesh.ts), whose gateway routes from the very
// objects the exercise applied. This proves the exercises' logic and numbers; it does not prove
// Envoy behaves like the fake (that needs a real data plane: see docs/exercises.md).
import test from 'ava';
import type { SplitReport } from '../../lab/checks/report-types.ts';
import { splitChartLines } from '../../lab/checks/report-format.ts';
import { makeBlueGreen } from '../../lab/exercises/blue-green.ts';
import { circuitBreaker } from '../../lab/exercises/circuit-breaker.ts';
import { CARTS_REF, GATEWAY_REF, VS_REF, weightsOf } from '../../lab/exercises/front-end-mesh.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { trafficSplit } from '../../lab/exercises/traffic-split.ts';
import type { AnyExercise, ExerciseReport } from '../../lab/exercises/types.ts';
import { FakeMesh, type FakeMeshOptions } from './fake-mesh.ts';

export async function runOn(exercise: AnyExercise, opts: FakeMeshOptions = {}, mesh = new FakeMesh(opts)) {
  await mesh.start();
  try {
    const report = await runExercise({ exercise, ops: mesh, provider: 'kind', dataPlane: true, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
    return { report, mesh };
  } finally {
    await mesh.stop();
  }
}

const assertions = (r: ExerciseReport, step = 'assert') => r.steps.find((s) => s.name === step)!.assertions;
const byName = (r: ExerciseReport, part: string) => assertions(r).find((a) => a.name.includes(part))!;

test('traffic-split on a mesh that honours the weights: 425 requests, v1 ≈ 80%, every assertion passes, 100/0 restored', async (t) => {
  const { report, mesh } = await runOn(trafficSplit);
  t.is(report.status, 'pass', formatExerciseReport(report));
  t.deepEqual(assertions(report).map((a) => a.status), ['pass', 'pass', 'pass', 'pass', 'pass']);
  const v1 = byName(report, 'v1 share');
  t.is(v1.numbers.classified, 425);
  t.true(Math.abs((v1.numbers.sharePct as number) - 80) <= 5, `${v1.numbers.sharePct}`);
  const split = report.steps.find((s) => s.name === 'act')!.actions[0].data as SplitReport;
  t.is(split.sample.n, 425);
  t.true(formatExerciseReport(report).includes(splitChartLines(split)[0]), 'the summary shows the bar chart');
  t.deepEqual(weightsOf((await mesh.get(VS_REF))!), { v1: 100, v2: 0 });
  t.deepEqual(mesh.collected, [], 'no diagnose after a pass');
});

test('traffic-split on a mesh that ignores the weights (50/50): the shares fail with their numbers, diagnose collects', async (t) => {
  const { report, mesh } = await runOn(trafficSplit, { ignoreWeights: true });
  t.is(report.status, 'fail');
  const v1 = byName(report, 'v1 share');
  t.is(v1.status, 'fail');
  t.true((v1.numbers.sharePct as number) < 65, `${v1.numbers.sharePct}`);
  t.is(byName(report, 'no failed requests').status, 'pass');
  const argvs = mesh.collected.map((r) => [r.tool, ...r.args].join(' '));
  t.true(argvs.includes('istioctl proxy-status'));
  t.true(argvs.includes('kubectl exec -n istio-system deploy/istio-ingressgateway -c istio-proxy -- pilot-agent request GET stats'));
  t.true(argvs.some((a) => a.startsWith('kubectl get events -n sock-shop')));
  t.is(report.steps.find((s) => s.name === 'cleanup')!.status, 'pass', 'cleanup after the failure');
});

test('circuit-breaker: overflow 503s seen by the client and by the gateway counter; carts down fails fast; all restored', async (t) => {
  const { report, mesh } = await runOn(circuitBreaker);
  t.is(report.status, 'pass', formatExerciseReport(report));
  const overflow = byName(report, 'shed with 503');
  t.true((overflow.numbers.overflowPct as number) >= 20, `${overflow.numbers.overflowPct}`);
  const counter = byName(report, 'upstream_rq_pending_overflow');
  t.is(counter.numbers.before, 0);
  t.is(counter.numbers.increase, mesh.overflow.get('v1') ?? -1, 'the increase is what the gateway counted');
  t.true((counter.numbers.increase as number) >= (counter.numbers.clientOverflow as number));
  t.deepEqual([byName(report, 'answered').numbers.unanswered, byName(report, 'visible').numbers.answered2xx], [0, 0]);
  t.is(byName(report, 'come from front-end').numbers.gateway5xx, 0, "part two's own policy: no ejected front-end answering for it");
  t.true((byName(report, 'fails fast').numbers.p95Ms as number) < 1000);
  const gw = (await mesh.get(GATEWAY_REF)) as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
  t.deepEqual(gw.spec.template.metadata.annotations, { 'sidecar.istio.io/inject': 'false' }, 'the stats annotation is gone again');
  t.is(((await mesh.get(CARTS_REF)) as { spec: { replicas: number } }).spec.replicas, 1);
  t.deepEqual(assertions(report, 'cleanup').map((a) => a.status), ['pass', 'pass', 'pass', 'pass']);
});

test('circuit-breaker: a gateway that does not emit the counter fails that assertion and says why', async (t) => {
  const mesh = new FakeMesh();
  const admin = mesh.gatewayAdmin.bind(mesh);
  mesh.gatewayAdmin = async (page) => (page === 'stats' ? [{ pod: 'gw-1', text: 'server.live: 1\n' }] : admin(page));
  const { report } = await runOn(circuitBreaker, {}, mesh);
  const counter = byName(report, 'upstream_rq_pending_overflow');
  t.is(counter.status, 'fail');
  t.regex(counter.actual!, /does not emit cluster\.outbound\|80\|v1\|front-end\.sock-shop\.svc\.cluster\.local\.upstream_rq_pending_overflow/);
  t.is(byName(report, 'shed with 503').status, 'pass', 'the client side still passed');
});

const FAST = { sampleN: 200, stream: { durationMs: 3000, intervalMs: 20, min: 0.995 }, switchAfterMs: 1000, minBeforeMs: 500, minAfterMs: 1000, convergeTimeoutMs: 5000 };

test('blue-green: all v1, 100% success through the switch, all v2; the switch lands inside the stream', async (t) => {
  const { report, mesh } = await runOn(makeBlueGreen(FAST));
  t.is(report.status, 'pass', formatExerciseReport(report));
  t.deepEqual(byName(report, 'before: all responses').numbers, { v1: 200, v2: 0, classified: 200, leakUpperPct: 2.28 });
  t.deepEqual(byName(report, 'after: all responses').numbers, { v2: 200, v1: 0, classified: 200, leakUpperPct: 2.28 });
  const rate = byName(report, 'success rate');
  t.is(rate.numbers.ratePct, 100);
  t.is(rate.numbers.total, 150);
  const at = byName(report, 'spanned the switch').numbers.switchAtMs as number;
  // Scheduled at 1000 ms; setTimeout measured with Date.now() can read 999, so bound by what the
  // exercise itself requires (≥ minBeforeMs into the stream, ≥ minAfterMs before its end).
  t.true(at >= FAST.minBeforeMs && at <= FAST.stream.durationMs - FAST.minAfterMs, `${at}`);
  t.is(byName(report, 'spanned the switch').status, 'pass');
  t.deepEqual(weightsOf((await mesh.get(VS_REF))!), { v1: 100, v2: 0 }, 'cleanup put the sample back');
});

test('blue-green on a mesh that leaks to v2 fails "all v1" with the count', async (t) => {
  const { report } = await runOn(makeBlueGreen(FAST), { ignoreWeights: true });
  const before = byName(report, 'before: all responses');
  t.is(before.status, 'fail');
  t.true((before.numbers.v2 as number) > 50);
});
