// Every assertion of the observability exercise must be able to fail: each test runs the exercise
// end to end against the peers of test/exercises/observability-peers.ts (a REAL Prometheus; HTTP
// stand-ins for Loki and Jaeger implementing only the query APIs the exercise calls) with one
// thing wrong — the data missing, late (it arrives, but after the deadline), partial (Jaeger:
// only the gateway's span), or a backend that answers errors — and checks that exactly the
// assertion meant to catch it FAILS, with its numbers and how long it waited; and that the same
// data a little late but within the deadline passes, with the time it took. Seeded throughout.
import test from 'ava';
import { lokiQueryRange } from '../../lab/checks/loki-query.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { assertions, exercise, stopMetricsPool, FAST, named, runOnPeers, withPeers, type PeerOptions } from './observability-peers.ts';

test.after.always(stopMetricsPool);

const statuses = (r: ExerciseReport) => Object.fromEntries(assertions(r).map((a) => [a.name.split(':')[0], a.status]));
const run = (o: PeerOptions) => withPeers(o, (p) => runOnPeers(exercise(), p));
const ALL_PASS = { traffic: 'pass', logs: 'pass', traces: 'pass', metrics: 'pass' };
const only = (which: string) => ({ ...ALL_PASS, [which]: 'fail' });

// --- Loki ---------------------------------------------------------------------------------------

test('logs missing (nothing reaches Loki): the log assertion fails with 0/12 after polling until the deadline', async (t) => {
  const r = await run({ telemetry: { noLogs: true } });
  t.deepEqual(statuses(r), only('logs'));
  const a = named(r, 'logs');
  t.like(a.numbers, { gatewayRequests: 0, frontEndRequests: 0, deadlineMs: FAST.logs.deadlineMs, failedAttempts: 0 });
  t.true((a.numbers.elapsedMs as number) >= FAST.logs.deadlineMs && (a.numbers.attempts as number) >= 5, JSON.stringify(a.numbers));
  t.regex(a.actual!, /^gateway 0\/12 requests \(0 lines\), front-end 0\/12 \(0 lines\) not within 1\.5 s \(\d+ attempts, 0 failed\); lines with their trace id: 0\/0$/);
  t.is(r.steps.find((s) => s.name === 'diagnose')!.status, 'pass', 'diagnose ran after the failure');
});

test('logs late: the lines reach Loki after the deadline → fail; they were there a moment later; a smaller delay passes with its time', async (t) => {
  await withPeers({ telemetry: { logDelayMs: FAST.logs.deadlineMs + 1000 } }, async (p) => {
    const r = await runOnPeers(exercise(), p);
    t.deepEqual(statuses(r), only('logs'));
    t.like(named(r, 'logs').numbers, { gatewayRequests: 0, frontEndRequests: 0 });
    await new Promise((res) => setTimeout(res, 1200));
    const later = await lokiQueryRange(p.loki.url, { query: '{container="istio-proxy"} |= "lab-marker="', startMs: Date.now() - 60_000, endMs: Date.now() + 1000, limit: 1000 });
    t.is(later.length, 24, 'the 12 + 12 lines did arrive: the failure was lateness, not absence');
  });
  const inTime = await run({ telemetry: { logDelayMs: 600 } });
  t.deepEqual(statuses(inTime), ALL_PASS);
  const ms = named(inTime, 'logs').numbers.elapsedMs as number;
  t.true(ms >= 500 && ms <= FAST.logs.deadlineMs, `took ${ms} ms for lines visible ~600 ms after each request`);
});

test("logs partial: front-end's sidecar lines missing, or a fifth of the lines lost → fail, counting what came", async (t) => {
  const noFrontEnd = await run({ telemetry: { noFrontEndLogs: true } });
  t.deepEqual(statuses(noFrontEnd), only('logs'));
  t.like(named(noFrontEnd, 'logs').numbers, { gatewayRequests: 12, frontEndRequests: 0 });
  const lossy = await run({ telemetry: { logDropPct: 20, seed: 9 } });
  t.deepEqual(statuses(lossy), only('logs'));
  const n = named(lossy, 'logs').numbers;
  t.true((n.gatewayRequests as number) + (n.frontEndRequests as number) < 24 && (n.gatewayRequests as number) + (n.frontEndRequests as number) > 0, JSON.stringify(n));
});

test('Loki answering 503 on every query: the log assertion fails with the last error, naming the URL', async (t) => {
  await withPeers({}, async (p) => {
    p.loki.failWith = { status: 503, body: 'Ingester not ready: waiting for 15s after being ready' };
    const r = await runOnPeers(exercise(), p);
    t.deepEqual(statuses(r), only('logs'));
    const a = named(r, 'logs');
    t.is(a.numbers.failedAttempts, a.numbers.attempts);
    t.regex(a.actual!, /last error: GET http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/query_range\?query=.* → HTTP 503: Ingester not ready: waiting for 15s after being ready\); lines with their trace id: 0\/0$/);
  });
});

// --- Jaeger -------------------------------------------------------------------------------------

test('traces missing: 12 not found after polling until the deadline', async (t) => {
  const r = await run({ telemetry: { noSpans: true } });
  t.deepEqual(statuses(r), only('traces'));
  const a = named(r, 'traces');
  t.like(a.numbers, { complete: 0, gatewayOnly: 0, frontEndOnly: 0, missing: 12, deadlineMs: FAST.traces.deadlineMs });
  t.true((a.numbers.elapsedMs as number) >= FAST.traces.deadlineMs);
  t.regex(a.actual!, /not found not within 1\.5 s .*; e\.g\. trace [0-9a-f]{32}; services seen: none$/);
});

test("traces with only the gateway's span (front-end's sidecar does not report): fail, 12 gateway-only", async (t) => {
  const r = await run({ telemetry: { gatewaySpansOnly: true } });
  t.deepEqual(statuses(r), only('traces'));
  t.like(named(r, 'traces').numbers, { complete: 0, gatewayOnly: 12, frontEndOnly: 0, missing: 0 });
  t.regex(named(r, 'traces').actual!, /services seen: istio-ingressgateway\.istio-system$/);
});

test('traces late → fail; a fifth of the traces lost → fail; a smaller delay passes with its time', async (t) => {
  const late = await run({ telemetry: { spanDelayMs: FAST.traces.deadlineMs + 1000 } });
  t.deepEqual(statuses(late), only('traces'));
  t.is(named(late, 'traces').numbers.missing, 12);
  const lossy = await run({ telemetry: { spanDropPct: 20, seed: 4 } });
  t.deepEqual(statuses(lossy), only('traces'));
  const missing = named(lossy, 'traces').numbers.missing as number;
  t.true(missing > 0 && missing < 12, `${missing}`);
  const inTime = await run({ telemetry: { spanDelayMs: 600 } });
  t.deepEqual(statuses(inTime), ALL_PASS);
  t.true((named(inTime, 'traces').numbers.elapsedMs as number) >= 500);
});

// --- Prometheus -------------------------------------------------------------------------------

test('metrics missing (front-end never counts): fail, not one more request counted, polled until the deadline', async (t) => {
  const r = await run({ telemetry: { counterMissPct: 100 } });
  t.deepEqual(statuses(r), only('metrics'));
  const a = named(r, 'metrics');
  t.like(a.numbers, { increase: 0, deadlineMs: FAST.metrics.deadlineMs });
  t.is(a.numbers.after, a.numbers.before, 'not one more request counted');
  t.true((a.numbers.elapsedMs as number) >= FAST.metrics.deadlineMs);
  t.regex(a.actual!, /^(no series|\d+) → (no series|\d+) \(\+0\) not within 3\.0 s/);
});

test('metrics short (a third of the requests not counted): fail with the increase below N', async (t) => {
  const r = await run({ telemetry: { counterMissPct: 35, seed: 2 } });
  t.deepEqual(statuses(r), only('metrics'));
  const n = named(r, 'metrics').numbers;
  t.true((n.increase as number) > 0 && (n.increase as number) < 12, JSON.stringify(n));
});

test('metrics late (counted after the deadline) → fail; a smaller delay passes with its time', async (t) => {
  const late = await run({ telemetry: { counterDelayMs: FAST.metrics.deadlineMs + 1500 } });
  t.deepEqual(statuses(late), only('metrics'));
  t.like(named(late, 'metrics').numbers, { increase: 0 });
  const inTime = await run({ telemetry: { counterDelayMs: 1200 } });
  t.deepEqual(statuses(inTime), ALL_PASS);
  t.true((named(inTime, 'metrics').numbers.elapsedMs as number) >= 1100);
});

test('Prometheus unreachable (its port-forward fails): the metrics assertion fails saying it could not read before; the others still pass', async (t) => {
  const r = await run({ without: ['prometheus'] });
  t.deepEqual(statuses(r), only('metrics'));
  t.regex(named(r, 'metrics').actual!, /^could not read it before the traffic: kubectl port-forward svc\/prometheus exited 1 before forwarding$/);
});

// --- traffic --------------------------------------------------------------------------------------

test('the gateway failing half the requests: the traffic assertion fails with the outcomes', async (t) => {
  const r = await run({ mesh: { errorPct: 50 } });
  const a = named(r, 'traffic');
  t.is(a.status, 'fail');
  t.true((a.numbers.ok2xx as number) < 12 && (a.numbers.ok2xx as number) > 0);
  t.regex(a.actual!, /^\d+\/12 answered 2xx \((http (200|503) ×\d+(, )?){2}\)/);
});
